"""The seed_demo command replays DOMAIN.md's cases: the cash-out burst is banned and frozen as
malicious, the demo customer's normal refund comes back on its date through the beat task while the
partial refund and the unsynced takeaway refund stay held, and seeding twice changes nothing.

Seeding is pinned to Thu 2026-11-26 10:00 Shanghai, so the demo's "1 day ago" refund is Wed Nov 25
and its 3 business days end on Mon Nov 30."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import AccountStatusChange, CreditAccount, Freeze, LedgerEntry, Order, Refund, RiskLevel, User
from accounts.selectors import ledger_mismatches
from appeals.evidence.pipeline import evidence_process
from appeals.models import Appeal, AppealEvent, Evidence, Notification, State
from appeals.tasks import release_due_freezes

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
SEEDED_AT = datetime(2026, 11, 26, 10, 0, tzinfo=SH)


def seed():
    out = io.StringIO()
    with time_machine.travel(SEEDED_AT, tick=False):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    return seed()


def account(username) -> CreditAccount:
    return CreditAccount.objects.get(customer__username=username)


def freeze_of(username, **filters) -> Freeze:
    return Freeze.objects.get(account__customer__username=username, **filters)


def release_on(day: date, username: str = "demo") -> int:
    """Run the beat's release job on `day`; how many of this customer's freezes it released."""
    released = Freeze.objects.filter(account__customer__username=username, status=Freeze.Status.RELEASED)
    before = released.count()
    with time_machine.travel(datetime(day.year, day.month, day.day, 9, 0, tzinfo=SH), tick=False):
        release_due_freezes.apply().get()
    return released.count() - before


def test_burst_customer_is_banned_with_every_freeze_malicious(seeded):
    burst = account("burst")
    assert burst.status == CreditAccount.Status.BANNED
    assert AccountStatusChange.objects.filter(account=burst, new_status=CreditAccount.Status.BANNED).count() == 1
    freezes = Freeze.objects.filter(account=burst)
    assert freezes.count() == 6  # five refunds and the rest of the limit
    assert set(freezes.values_list("reason", flat=True)) == {Freeze.Reason.MALICIOUS}
    assert (burst.frozen, burst.used, burst.available) == (Decimal("8000.00"), Decimal("0.00"), Decimal("0.00"))
    refunds = list(Refund.objects.filter(order__account=burst).order_by("pk"))
    assert len(refunds) == 5
    rules = [{rule["code"] for rule in refund.risk_rules} for refund in refunds]
    assert all({"item_mismatch", "virtual_address"} <= codes for codes in rules)
    assert ["refunds_per_day" in codes for codes in rules] == [False, False, False, True, True]
    assert {refund.risk_level for refund in refunds} == {RiskLevel.HIGH}
    appeal = Appeal.objects.get(customer__username="burst")
    assert (appeal.state, appeal.is_risk_pending) == (State.ESCALATED, True)  # its screenshots wait for the worker
    for evidence in appeal.evidence.all():
        evidence_process(evidence_id=evidence.pk)
    appeal.refresh_from_db()
    assert (appeal.state, appeal.risk_level, appeal.is_risk_pending) == (State.ESCALATED, RiskLevel.HIGH, False)


def test_demo_normal_refund_comes_back_on_its_date_and_the_partial_refund_stays(seeded):
    normal = freeze_of("demo", reason=Freeze.Reason.NORMAL_REFUND, status=Freeze.Status.ACTIVE)
    partial = freeze_of("demo", reason=Freeze.Reason.PARTIAL_REFUND)
    takeaway = freeze_of("takeaway")
    assert normal.amount == Decimal("599.00")
    assert normal.expected_release_on == date(2026, 11, 30)
    assert partial.amount == Decimal("300.00")
    assert partial.expected_release_on > normal.expected_release_on
    assert takeaway.expected_release_on < SEEDED_AT.date()  # already late: the platform never synced
    available_before = account("demo").available

    assert release_on(normal.expected_release_on - timedelta(days=1)) == 0
    assert account("demo").available == available_before

    assert release_on(normal.expected_release_on) == 1
    assert account("demo").available - available_before == Decimal("599.00")
    normal.refresh_from_db()
    assert (normal.status, normal.release_source) == (Freeze.Status.RELEASED, Freeze.ReleaseSource.TIMER)
    assert LedgerEntry.objects.filter(freeze=normal, kind=LedgerEntry.Kind.RELEASE).count() == 1
    assert Notification.objects.filter(user__username="demo", message__contains="599.00").count() == 1
    assert freeze_of("demo", pk=partial.pk).status == Freeze.Status.ACTIVE
    assert freeze_of("takeaway").status == Freeze.Status.ACTIVE
    assert Appeal.objects.get(customer__username="takeaway").is_open
    assert release_on(normal.expected_release_on) == 0  # the next beat that day
    assert ledger_mismatches() == []
    call_command("verify_ledger", stdout=io.StringIO())


def test_partial_refund_comes_back_later_and_the_takeaway_and_burst_never_do(seeded):
    partial = freeze_of("demo", reason=Freeze.Reason.PARTIAL_REFUND)
    assert release_on(partial.expected_release_on - timedelta(days=1)) == 1  # only the 599.00 so far
    assert freeze_of("demo", pk=partial.pk).status == Freeze.Status.ACTIVE
    assert release_on(partial.expected_release_on) == 1
    assert freeze_of("demo", pk=partial.pk).status == Freeze.Status.RELEASED
    assert release_on(date(2027, 6, 30)) == 0
    assert release_on(date(2027, 6, 30), "takeaway") == 0
    assert release_on(date(2027, 6, 30), "burst") == 0
    assert freeze_of("takeaway").status == Freeze.Status.ACTIVE
    assert set(Freeze.objects.filter(account__customer__username="burst").values_list("status", flat=True)) == {
        Freeze.Status.ACTIVE}
    assert ledger_mismatches() == []


def test_seed_demo_twice_is_idempotent(seeded):
    models = [User, CreditAccount, Order, Refund, Freeze, LedgerEntry, AccountStatusChange, Appeal, AppealEvent,
              Evidence, Notification]
    before = {model.__name__: model.objects.count() for model in models}
    balances = list(CreditAccount.objects.order_by("pk").values_list("limit", "used", "frozen", "status"))
    assert before["Appeal"] == 4 and before["CreditAccount"] == 5

    output = seed()

    assert {model.__name__: model.objects.count() for model in models} == before
    assert list(CreditAccount.objects.order_by("pk").values_list("limit", "used", "frozen", "status")) == balances
    assert "burst" in output and "demo1234" in output
    assert ledger_mismatches() == []
