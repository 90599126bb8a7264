import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import AgentFactory
from appeals.models import Appeal
from appeals.tests.factories import file_appeal

pytestmark = pytest.mark.django_db


def test_probe(client):
    appeal = file_appeal()
    agent = AgentFactory()
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("admin:appeals_appeal_change", args=[appeal.pk])
    r = client.post(url, {"_fsm_transition_to": "claim"})
    print(r.status_code, r.get("Location"))
    if r.status_code == 200:
        ctx = r.context
        print(ctx["adminform"].form.errors, [f.formset.non_form_errors() for f in ctx["inline_admin_formsets"]])
    print(Appeal.objects.get(pk=appeal.pk).state)
    assert 0
