"""Logistics, refund sync and bills as the platform reports them, and what the desk and the customer
see of them."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Bill, CreditAccount, ReturnShipmentEvent
from accounts.selectors import ledger_mismatches
from accounts.services.bills import bills_mark_overdue_due
from accounts.tests.factories import AgentFactory, make_order, make_refund
from appeals.errors import InvalidAppeal
from appeals.evidence import crosscheck
from appeals.models import Evidence
from appeals.tests.factories import file_appeal, three_screenshots
from events.models import Event

from .conftest import platform_customer

pytestmark = pytest.mark.django_db
SHANGHAI = timezone.get_fixed_timezone(8 * 60)


def a_refund(refund_id="RF-1", tracking_number="SF1402938475610", **kwargs):
    account = platform_customer("U100", "5000.00")
    return make_refund(make_order(account, Decimal("599.00")), platform_refund_id=refund_id,
                       tracking_number=tracking_number, **kwargs)


def step(api, status, at, refund_id="RF-1", tracking="SF1402938475610"):
    return api.post("/logistics", {"refund_id": refund_id, "carrier": "顺丰速运", "tracking_number": tracking,
                                   "status": status, "occurred_at": at.isoformat()})


def test_logistics_steps_are_stored_once_and_must_match_the_return(api):
    refund = a_refund()
    picked = datetime(2026, 11, 27, 14, 22, tzinfo=SHANGHAI)
    first = step(api, "picked_up", picked)
    assert first.status_code == 201 and first.json()["recorded"] is True
    again = step(api, "picked_up", picked)
    assert again.status_code == 200 and again.json()["recorded"] is False
    assert step(api, "in_transit", picked + timedelta(hours=5)).status_code == 201
    wrong = step(api, "delivered", picked + timedelta(days=1), tracking="YT7712345678901")
    assert wrong.status_code == 409 and wrong.json()["code"] == "tracking_mismatch"
    assert list(refund.shipment_events.values_list("status", flat=True)) == ["picked_up", "in_transit"]
    assert step(api, "lost", picked).status_code == 422
    assert step(api, "picked_up", picked, refund_id="RF-404").status_code == 404


def test_a_return_without_a_tracking_number_takes_the_carrier_s(api):
    refund = a_refund(tracking_number="")
    assert step(api, "picked_up", timezone.now(), tracking="sf 1402 9384 75610").status_code == 201
    refund.refresh_from_db()
    assert refund.tracking_number == "SF1402938475610"


def test_with_the_carrier_s_record_on_file_no_logistics_screenshot_is_asked(api, client):
    refund = a_refund()
    freeze = refund.freezes.get()
    without_logistics = [item for item in three_screenshots() if item[0] != Evidence.Kind.LOGISTICS]
    with pytest.raises(InvalidAppeal, match="物流|logistics"):
        file_appeal(freeze, files=without_logistics)
    step(api, "picked_up", timezone.now() - timedelta(hours=3))
    client.force_login(freeze.account.customer)
    form = client.get(f"/appeals/new/{freeze.pk}/").content.decode()
    assert "承运商" in form or "carrier" in form  # the page says why the screenshot is not needed
    appeal = file_appeal(freeze, files=without_logistics)
    checks = crosscheck.cross_check(appeal, list(appeal.evidence.all()))
    record = next(check for check in checks if check.code == "tracking_record")
    assert record.status == crosscheck.MATCH and "SF1402938475610" in record.read
    assert "tracking_number" not in {check.code for check in checks}


def test_the_agent_sees_the_parcel_and_the_sync_on_the_appeal_page(api, client, django_capture_on_commit_callbacks):
    refund = a_refund(platform_synced=False)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = file_appeal(refund.freezes.get())
    step(api, "picked_up", timezone.now() - timedelta(hours=3))
    assert api.post("/refunds/RF-1/synced").status_code == 200
    client.force_login(AgentFactory())
    page = client.get(f"/admin/appeals/appeal/{appeal.pk}/change/").content.decode()
    assert "顺丰速运" in page and "SF1402938475610" in page
    assert "外部平台已确认退款" in page or "External platform confirmed the refund" in page
    assert appeal.events.filter(transition="platform_synced").count() == 1


def test_three_overdue_bills_in_a_row_cut_the_limit_once(api):
    """Each bill issued ten days before its day and reported overdue the day after: the third cuts."""
    account = platform_customer("U100", "5000.00")
    limits = []
    for month in (8, 9, 10):
        due = date(2026, month, 10)
        with time_machine.travel(datetime(2026, month, 1, 9, 0, tzinfo=SHANGHAI)):
            issued = api.post("/bills", {"customer": "U100", "due_on": due.isoformat(), "amount": "300.00"})
            assert issued.status_code == 201 and issued.json()["overdue"] is False
        with time_machine.travel(datetime(2026, month, 11, 9, 0, tzinfo=SHANGHAI)):
            overdue = api.post("/bills/overdue", {"customer": "U100", "due_on": due.isoformat()})
            assert overdue.status_code == 200 and overdue.json()["overdue"] is True
            limits.append(overdue.json()["limit"])
            again = api.post("/bills/overdue", {"customer": "U100", "due_on": due.isoformat()})
            assert again.json()["limit"] == limits[-1]  # once per streak
    assert limits == ["5000.00", "5000.00", "3500.00"]
    cut = Event.objects.filter(type="limit.changed", account_id=account.pk).latest("id")
    assert (cut.data["old_limit"], cut.data["new_limit"]) == ("5000.00", "3500.00")
    assert ledger_mismatches() == []


def test_paid_and_unknown_bills(api):
    platform_customer("U100", "5000.00")
    due = timezone.localdate() - timedelta(days=5)
    api.post("/bills", {"customer": "U100", "due_on": due.isoformat(), "amount": "120.00"})
    paid = api.post("/bills/paid", {"customer": "U100", "due_on": due.isoformat(), "paid_on": due.isoformat()})
    assert paid.status_code == 200 and paid.json()["paid_on"] == due.isoformat() and paid.json()["overdue"] is False
    assert api.post("/bills/overdue", {"customer": "U100", "due_on": due.isoformat()}).json()["code"] == \
        "bill_already_paid"
    reissued = api.post("/bills", {"customer": "U100", "due_on": due.isoformat(), "amount": "125.00"})
    assert reissued.json()["paid_on"] == due.isoformat()  # a corrected amount does not unpay it
    assert api.post("/bills/paid", {"customer": "U100", "due_on": "2020-01-10", "paid_on": "2020-01-10"}
                    ).json()["code"] == "unknown_bill"


def test_the_due_date_job_marks_unpaid_bills_overdue_and_runs_the_streak_rule():
    account = platform_customer("U100", "5000.00")
    for month in (9, 10, 11):
        Bill.objects.create(account=account, due_on=date(2026, month, 10), amount=Decimal("200.00"))
    Bill.objects.create(account=account, due_on=date(2026, 12, 10), amount=Decimal("200.00"))
    with time_machine.travel(datetime(2026, 11, 11, 0, 10, tzinfo=SHANGHAI)):
        assert bills_mark_overdue_due() == 3
        assert bills_mark_overdue_due() == 0  # idempotent
    marked = Bill.objects.filter(account=account).exclude(declared_overdue_on=None)
    assert sorted(b.due_on.month for b in marked) == [9, 10, 11]
    assert CreditAccount.objects.get(pk=account.pk).limit == Decimal("3500.00")
    assert ReturnShipmentEvent.objects.count() == 0
