"""The integrations' admin: superusers only; a client's key is shown once and stored as a hash."""

import re

import pytest
from django.contrib.messages import get_messages

from accounts.tests.factories import AgentFactory
from integrations.models import ApiClient, key_digest

pytestmark = pytest.mark.django_db


def test_a_new_client_s_key_is_shown_once_and_only_its_hash_is_kept(admin_client, client):
    response = admin_client.post("/admin/integrations/apiclient/add/", {
        "name": "credit-core", "scopes": ["ledger:write", "read"], "rate_limit_per_minute": 600}, follow=True)
    assert response.status_code == 200
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    key = re.search(r"adk_[0-9a-f]{8}_\S+", shown).group(0)
    made = ApiClient.objects.get(name="credit-core")
    assert made.key_hash == key_digest(key) and key not in str(ApiClient.objects.values().get(pk=made.pk))
    assert made.scopes == ["ledger:write", "read"]
    page = admin_client.get(f"/admin/integrations/apiclient/{made.pk}/change/").content.decode()
    assert key not in page and made.key_prefix in page
    assert client.get("/api/v1/customers/U1/credit", headers={"Authorization": f"Bearer {key}"}).status_code == 404
    admin_client.post("/admin/integrations/apiclient/", {"action": "revoke", "_selected_action": [made.pk]})
    assert client.get("/api/v1/customers/U1/credit", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_agents_cannot_open_the_integrations_admin(client):
    client.force_login(AgentFactory())
    for model in ("apiclient", "webhookendpoint", "webhookdelivery"):
        assert client.get(f"/admin/integrations/{model}/").status_code == 403
    assert client.get("/admin/events/event/").status_code == 403
