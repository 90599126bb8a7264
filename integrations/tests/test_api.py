"""The API's endpoints through HTTP (Django's test client): each calls the same services as the
pages, answers amounts as two-decimal strings, and turns refusals into problem documents."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import CreditAccount, Freeze, LedgerEntry, Refund, User
from accounts.selectors import ledger_mismatches
from events.models import Event

from .conftest import platform_customer

pytestmark = pytest.mark.django_db

ORDER = {"item_name": "蓝牙耳机 Pro", "item_sku": "SKU-EAR-PRO", "delivery_address": "上海市浦东新区世纪大道100号"}


def order(api, number, customer="U100", amount="599.00", **extra):
    return api.post("/orders", {"order_number": number, "customer": customer, "amount": amount, **ORDER, **extra})


def refund(api, refund_id, number, amount="599.00", **extra):
    return api.post("/refunds", {"refund_id": refund_id, "order_number": number, "amount": amount,
                                 "returned_item_name": ORDER["item_name"], "returned_item_sku": ORDER["item_sku"],
                                 "return_address": ORDER["delivery_address"], "tracking_number": "SF1402938475610",
                                 **extra})


def test_a_new_customer_gets_a_credit_line_and_an_existing_one_is_updated(api):
    response = api.post("/customers", {"external_id": "U7", "phone": "138 0000 1111", "name": "王小明",
                                       "opening_limit": "8000.00"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["opened"] is True and body["credit"]["limit"] == "8000.00" and body["credit"]["available"] == "8000.00"
    user = User.objects.get(external_id="U7")
    assert (user.phone, user.first_name, user.has_usable_password()) == ("13800001111", "王小明", False)
    again = api.post("/customers", {"external_id": "U7", "phone": "13900002222", "name": "王小明"})
    assert again.status_code == 200 and again.json()["opened"] is False
    assert User.objects.get(external_id="U7").phone == "13900002222"
    missing = api.post("/customers", {"external_id": "U8", "name": "李四"})
    assert missing.status_code == 422 and missing.json()["code"] == "limit_required"
    assert not User.objects.filter(external_id="U8").exists()  # nothing half-written


def test_purchase_refund_and_the_freeze_it_makes(api):
    platform_customer("U100", "3000.00")
    made = order(api, "DY1000000000000000001")
    assert made.status_code == 201 and made.json() == {"order_number": "DY1000000000000000001", "amount": "599.00",
                                                        "available": "2401.00"}
    refunded = refund(api, "RF-1", "DY1000000000000000001", "100.50")
    assert refunded.status_code == 201, refunded.content
    body = refunded.json()
    assert body["kind"] == "partial" and body["amount"] == "100.50"
    assert [(f["amount"], f["reason"], f["status"]) for f in body["freezes"]] == [
        ("100.50", "partial_refund", "active")]
    credit = api.get("/customers/U100/credit").json()
    assert (credit["used"], credit["frozen"], credit["available"]) == ("498.50", "100.50", "2401.00")
    assert [e.type for e in Event.objects.order_by("id")] == ["limit.changed", "freeze.created"]
    assert Event.objects.filter(type="freeze.created", data__refund_id="RF-1").count() == 1
    assert ledger_mismatches() == []


def test_a_refund_takes_a_fixed_number_of_statements_and_one_savepoint(api):
    platform_customer("U100", "9000.00")
    captured = []
    for i in range(3):
        assert order(api, f"DY{i}").status_code == 201
        with CaptureQueriesContext(connection) as queries:
            assert refund(api, f"RF-{i}", f"DY{i}").status_code == 201
        captured.append([q["sql"] for q in queries.captured_queries])
    # The key, the idempotency record, the order, the lock, the rules' reads, the rows, the answer.
    # Two savepoints: the request's transaction (inside the test's) and refund_record's, which a
    # duplicate refund id undoes (there were two more, of _once and refund_hold).
    assert len(captured[2]) == len(captured[1]) <= 21, len(captured[1])
    assert sum(sql.startswith("SAVEPOINT") for sql in captured[2]) == 2
    assert not any(sql.startswith("UPDATE") and "accounts_refund" in sql for sql in captured[2])  # written once


def test_domain_refusals_are_problem_documents_with_stable_codes(api):
    platform_customer("U100", "500.00")
    too_much = order(api, "DY1", amount="600.00")
    assert too_much.status_code == 409
    assert too_much["Content-Type"] == "application/problem+json"
    problem = too_much.json()
    assert problem["code"] == "insufficient_available" and problem["status"] == 409
    assert problem["type"].endswith("insufficient_available") and problem["title"] and problem["detail"]
    assert order(api, "DY2", amount="100.00").status_code == 201
    assert order(api, "DY2", amount="100.00").json()["code"] == "already_recorded"  # a new key, same order number
    assert refund(api, "RF-9", "DY2", "150.00").json()["code"] == "refund_exceeds_order"
    assert refund(api, "RF-9", "DY404").status_code == 404
    assert order(api, "DY3", customer="NOBODY").json()["code"] == "unknown_customer"
    CreditAccount.objects.filter(customer__external_id="U100").update(status="banned")
    assert order(api, "DY4", amount="1.00").json()["code"] == "account_not_active"
    assert ledger_mismatches() == []


@pytest.mark.parametrize("amount", [599, 599.5, "5.999", "-1.00", "1e3", "", None])
def test_amounts_must_be_decimal_strings_and_errors_name_the_field(api, amount):
    platform_customer("U100")
    response = order(api, "DY5", amount=amount)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid_request" and "amount" in problem["detail"]
    assert [error["field"] for error in problem["errors"]] == ["amount"]


def test_zero_is_refused_by_the_ledger_with_its_own_code(api):
    platform_customer("U100")
    assert order(api, "DY6", amount="0.00").json()["code"] == "invalid_amount"


def test_a_body_that_is_not_json_is_a_400_problem(api):
    response = api.post("/orders", raw="{not json")
    assert response.status_code == 400 and response.json()["code"] == "malformed_body"


def test_naive_times_are_refused(api):
    platform_customer("U100")
    response = order(api, "DY7", occurred_at="2026-11-20T10:00:00")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "occurred_at"


def test_repayment_limit_change_and_their_events(api):
    platform_customer("U100", "1000.00")
    order(api, "DY8", amount="400.00")
    paid = api.post("/repayments", {"customer": "U100", "amount": "150.00"})
    assert paid.status_code == 201 and paid.json()["available"] == "750.00"
    cut = api.post("/customers/U100/limit", {"limit": "600.00", "note": "credit review"})
    assert cut.status_code == 200 and cut.json()["limit"] == "600.00"
    assert api.post("/customers/U100/limit", {"limit": "100.00"}).json()["code"] == "limit_below_committed"
    event = Event.objects.filter(type="limit.changed").order_by("id").last()
    assert event.data["old_limit"] == "1000.00" and event.data["new_limit"] == "600.00"
    assert LedgerEntry.objects.filter(kind="repayment", amount=Decimal("150.00")).count() == 1


def test_the_appeal_read_shows_the_customer_timeline(api, django_capture_on_commit_callbacks):
    from appeals.tests.factories import file_appeal, refund_freeze

    with django_capture_on_commit_callbacks(execute=True):
        appeal = file_appeal(refund_freeze())
    body = api.get(f"/appeals/{appeal.reference}").json()
    assert body["state"] == "submitted" and body["amount"] == "599.00"
    assert [line["transition"] for line in body["timeline"]] == ["submit"]
    assert body["timeline"][0]["line"]
    assert api.get("/appeals/AP20260101-ZZZZ").status_code == 404


def test_the_docs_page_is_for_staff_and_the_schema_is_public(client):
    assert client.get("/api/v1/docs").status_code == 302
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and "/api/v1/refunds" in schema.json()["paths"]


def test_freezes_expected_dates_are_shown(api):
    platform_customer("U100")
    order(api, "DY9", occurred_at=(timezone.now() - timedelta(days=3)).isoformat())
    refund(api, "RF-2", "DY9")
    freeze = Freeze.objects.get(refund__platform_refund_id="RF-2")
    shown = api.get("/customers/U100/credit").json()["freezes"][0]
    assert shown["expected_release_on"] == freeze.expected_release_on.isoformat()
    assert shown["refund_id"] == "RF-2" and shown["order_number"] == "DY9"
    assert Refund.objects.get(platform_refund_id="RF-2").kind == "full"


def test_the_feed_pages_through_the_events_in_order(api):
    from accounts.services import ledger

    account = platform_customer("U100", "1000.00")
    for amount in ("1.00", "2.00", "3.00"):
        ledger.freeze_create(account=account, amount=Decimal(amount), reason="routine_risk")
    first = api.get("/events", after=0, limit=2).json()
    rest = api.get("/events", after=first["next"]).json()
    events = first["events"] + rest["events"]
    assert [e["type"] for e in events] == ["limit.changed", "freeze.created", "freeze.created", "freeze.created"]
    assert [e["data"].get("amount") for e in events[1:]] == ["1.00", "2.00", "3.00"]
    assert all(e["customer"] == "U100" for e in events)
    positions = [e["position"] for e in events]
    assert positions == sorted(positions) and first["next"] == positions[1]
    assert api.get("/events", after=rest["next"]).json() == {"events": [], "next": rest["next"]}
