"""Idempotency-Key: a retry gets the first response without the work being done again; the same key
with another body is refused; sixteen requests with one key at the same moment do the work once."""

import json
import uuid

import pytest
from django.test import Client

from accounts.models import LedgerEntry, Order
from accounts.selectors import ledger_mismatches
from conftest import run_together
from events.models import Event
from integrations.models import IdempotencyRecord

from .conftest import make_client, platform_customer

ORDER = {"order_number": "DY2026112700000001", "customer": "U100", "amount": "129.00", "item_name": "电热水壶",
         "item_sku": "SKU-KETTLE", "delivery_address": "上海市浦东新区世纪大道100号"}


@pytest.mark.django_db
def test_a_replay_returns_the_first_response_and_does_nothing_again(api):
    platform_customer("U100", "1000.00")
    first = api.post("/orders", ORDER, idempotency="order-1")
    assert first.status_code == 201
    entries = LedgerEntry.objects.count()
    for body in (ORDER, dict(reversed(list(ORDER.items())))):  # key order does not make it another request
        again = api.post("/orders", body, idempotency="order-1")
        assert (again.status_code, again.content) == (201, first.content)
        assert again["Idempotent-Replayed"] == "true" and again["Content-Type"] == first["Content-Type"]
    assert LedgerEntry.objects.count() == entries and Order.objects.count() == 1
    assert "Idempotent-Replayed" not in first


@pytest.mark.django_db
def test_a_refusal_is_replayed_too_even_after_the_state_changed(api):
    platform_customer("U100", "100.00")
    refused = api.post("/orders", ORDER, idempotency="order-2")
    assert refused.status_code == 409 and refused.json()["code"] == "insufficient_available"
    api.post("/customers/U100/limit", {"limit": "1000.00"})
    again = api.post("/orders", ORDER, idempotency="order-2")
    assert (again.status_code, again.content) == (409, refused.content)  # the first answer, not a new attempt
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422(api):
    platform_customer("U100", "1000.00")
    assert api.post("/orders", ORDER, idempotency="k").status_code == 201
    other = api.post("/orders", {**ORDER, "amount": "130.00"}, idempotency="k")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert api.post("/repayments", {"customer": "U100", "amount": "1.00"}, idempotency="k").status_code == 422
    assert Order.objects.get().amount == 129


@pytest.mark.django_db
def test_keys_belong_to_their_client(client, api):
    platform_customer("U100", "1000.00")
    assert api.post("/orders", ORDER, idempotency="shared").status_code == 201
    _other, other_key = make_client("credit-core")
    second = api.post("/orders", {**ORDER, "order_number": "DY2"}, idempotency="shared", key=other_key)
    assert second.status_code == 201 and "Idempotent-Replayed" not in second


@pytest.mark.django_db
@pytest.mark.parametrize("key", [False, "", "has space", "x" * 256, "tab\tkey"])
def test_a_post_without_a_usable_key_is_400_and_does_nothing(api, key):
    platform_customer("U100", "1000.00")
    response = api.post("/orders", ORDER, idempotency=key)
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_required"
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_auth_and_rate_refusals_are_not_stored(api):
    _client, reader = make_client("reader", ["read"])
    assert api.post("/orders", ORDER, key=reader, idempotency="k403").status_code == 403
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_request_leaves_no_record_and_no_event(api, monkeypatch):
    """A crash in the middle of the work (here: the ledger raising after the order row) rolls back the
    order, the event and the idempotency record together: the retry does the work."""
    from accounts.services import ledger

    platform_customer("U100", "1000.00")
    events = Event.objects.count()
    original = ledger._move

    def crash(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ledger, "_move", crash)
    api.client.raise_request_exception = False
    assert api.post("/orders", ORDER, idempotency="crash").status_code == 500
    assert not Order.objects.exists() and not IdempotencyRecord.objects.exists() and Event.objects.count() == events
    monkeypatch.setattr(ledger, "_move", original)
    assert api.post("/orders", ORDER, idempotency="crash").status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_requests_with_one_key_at_once_do_the_work_once(api_key):
    platform_customer("U100", "1000.00")
    body = json.dumps(ORDER)
    headers = {"Authorization": f"Bearer {api_key}", "Idempotency-Key": f"race-{uuid.uuid4().hex}"}

    def post():
        response = Client().post("/api/v1/orders", data=body, content_type="application/json", headers=headers)
        return response.status_code, response.content, response.has_header("Idempotent-Replayed")

    results = run_together([post] * 16)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert {(status, content) for status, content, _replayed in results} == {(201, results[0][1])}
    assert sorted(replayed for _s, _c, replayed in results) == [False] + [True] * 15
    assert Order.objects.count() == 1 and LedgerEntry.objects.filter(kind="purchase").count() == 1
    assert ledger_mismatches() == []
