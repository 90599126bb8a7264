import json
import uuid
from decimal import Decimal

import pytest

from accounts.tests.factories import CustomerFactory, make_account
from integrations import webhooks
from integrations.models import ApiClient, Scope, WebhookEndpoint

from .receiver import Receiver

ALL_SCOPES = list(Scope.values)


def make_client(name=None, scopes=ALL_SCOPES, **fields) -> tuple[ApiClient, str]:
    client = ApiClient(name=name or f"client-{uuid.uuid4().hex[:8]}", scopes=list(scopes), **fields)
    key = client.set_new_key()
    client.save()
    return client, key


@pytest.fixture
def api_key(db):
    return make_client("mall")[1]


class Api:
    """The test client speaking to /api/v1/ with a bearer key; POSTs get a fresh Idempotency-Key unless given."""

    def __init__(self, client, key):
        self.client, self.key = client, key

    def headers(self, key=None, idempotency=None):
        headers = {"Authorization": f"Bearer {key or self.key}"} if (key or self.key) else {}
        if idempotency is not False:
            headers["Idempotency-Key"] = uuid.uuid4().hex if idempotency is None else idempotency
        return headers

    def post(self, path, body=None, *, key=None, idempotency=None, raw=None):
        data = raw if raw is not None else json.dumps(body or {})
        return self.client.post(f"/api/v1{path}", data=data, content_type="application/json",
                                headers=self.headers(key, idempotency))

    def get(self, path, *, key=None, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers(key, idempotency=False))


@pytest.fixture
def api(client, api_key):
    return Api(client, api_key)


def platform_customer(external_id="U100", limit="10000.00"):
    """A customer the platform knows by `external_id`, with an open credit line."""
    return make_account(limit=Decimal(limit), customer=CustomerFactory(external_id=external_id))


@pytest.fixture
def receiver(db):
    """A running receiver on 127.0.0.1 and the active webhook endpoint pointing at it (receiver.endpoint)."""
    endpoint = WebhookEndpoint.objects.create(name="mall", url="http://127.0.0.1:1/unused")
    running = Receiver(endpoint.secret).start()
    endpoint.url = running.url
    endpoint.save()
    running.endpoint = endpoint
    yield running
    running.stop()


def deliver_until(condition, rounds=200):
    """Run the delivery job until `condition()` holds."""
    for _round in range(rounds):
        webhooks.deliver_due()
        if condition():
            return
    raise AssertionError("not delivered")
