"""The clock (appeals.services.timers): freezes released on their expected date across the Chinese
holidays, freezes that must wait for a person, open appeals closed by the release, and appeals
escalated when their service level runs out.

Every time is pinned in Asia/Shanghai with time_machine. Dates are worked out from the `holidays`
package's China calendar (0.109):
  * National Day 2026: Thu Oct 1 – Wed Oct 7 off; Sat Oct 10 (and Sun Sep 20) are make-up workdays.
    Wed Sep 30 + 3 business days = Thu Oct 8, Fri Oct 9, Sat Oct 10.
    + 15 = … Tue Oct 27;  + 30 = … Tue Nov 17.
  * Spring Festival 2027: Fri Feb 5 – Wed Feb 10 off; the package has no make-up workday in 2027, so
    Sat Feb 13 / Sun Feb 14 stay off. Thu Feb 4 + 3 = Thu Feb 11, Fri Feb 12, Mon Feb 15.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine
from django.core.management import call_command

from accounts.models import CreditAccount, Freeze, LedgerEntry, Order
from accounts.selectors import ledger_mismatches
from accounts.services import ledger
from accounts.tests.factories import AgentFactory, make_account, make_order, make_refund
from appeals.errors import AlreadyDecided, WrongState
from appeals.models import Appeal, AppealEvent, Notification, State
from appeals.tests.factories import file_appeal, submit_appeal
from appeals.workflow import clocks, decide, review
from appeals.workflow.timers import auto_release_batch, auto_release_due, escalate_overdue

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def moment(y, m, d, hour=10, minute=0):
    return datetime(y, m, d, hour, minute, tzinfo=SH)


def travel(y, m, d, hour=10, minute=0):
    return time_machine.travel(moment(y, m, d, hour, minute), tick=False)


def release_on(y, m, d, hour=8):
    """Run the auto-release poller at `hour` o'clock on that day until it has nothing left."""
    with travel(y, m, d, hour):
        return auto_release_due(batch_size=50)


def refund_freeze_at(when, amount=Decimal("599.00"), refunded=None, **refund_kwargs) -> Freeze:
    """A customer's order and its refund recorded at `when` (Shanghai); returns the refund's freeze."""
    with time_machine.travel(when, tick=False):
        account = make_account()
        order = make_order(account, amount, occurred_at=when - timedelta(days=2), **refund_kwargs.pop("order", {}))
        return make_refund(order, refunded, **refund_kwargs).freezes.get()


def releases(freeze):
    return LedgerEntry.objects.filter(freeze=freeze, kind=LedgerEntry.Kind.RELEASE).count()


def assert_clean():
    assert ledger_mismatches() == []
    call_command("verify_ledger")


# ----------------------------------------------------------------------------- National Day 2026


def test_normal_refund_before_national_day_is_released_on_the_make_up_saturday_once():
    freeze = refund_freeze_at(moment(2026, 9, 30))
    account, customer = freeze.account, freeze.account.customer
    assert freeze.reason == Freeze.Reason.NORMAL_REFUND
    assert freeze.expected_release_on == date(2026, 10, 10)
    available_before = CreditAccount.objects.get(pk=account.pk).available

    for day in (8, 9):
        assert release_on(2026, 10, day, hour=23) == 0
    assert Freeze.objects.get(pk=freeze.pk).is_active
    assert releases(freeze) == 0

    assert release_on(2026, 10, 10) == 1
    freeze.refresh_from_db()
    assert (freeze.status, freeze.release_source) == (Freeze.Status.RELEASED, Freeze.ReleaseSource.TIMER)
    assert freeze.released_at == moment(2026, 10, 10, 8)
    assert releases(freeze) == 1
    assert CreditAccount.objects.get(pk=account.pk).available - available_before == Decimal("599.00")
    [notice] = Notification.objects.filter(user=customer)
    assert "599.00" in notice.message and notice.appeal is None
    assert_clean()

    assert release_on(2026, 10, 10, hour=9) == 0  # the next poll the same day
    assert releases(freeze) == 1
    assert Notification.objects.filter(user=customer).count() == 1
    assert CreditAccount.objects.get(pk=account.pk).available - available_before == Decimal("599.00")
    assert_clean()


@pytest.mark.parametrize("hour, minute", [(0, 30), (23, 30)])
def test_restore_date_counts_from_the_local_day_of_the_refund(hour, minute):
    # 00:30 in Shanghai is still Sep 29 in UTC; counting from that day would give Oct 9.
    freeze = refund_freeze_at(moment(2026, 9, 30, hour, minute))
    assert freeze.expected_release_on == date(2026, 10, 10)
    assert release_on(2026, 10, 9, hour=23) == 0
    assert release_on(2026, 10, 10, hour=0) == 1


# --------------------------------------------------------------------------- Spring Festival 2027


def test_refund_before_spring_festival_2027_is_released_on_the_monday_after():
    # The reasoning behind Feb 15, checked against the package so a calendar update shows up here.
    china = holidays.China(years=2027)
    assert all(date(2027, 2, d) in china for d in range(5, 11))
    assert not [d for d in china.weekend_workdays if d.year == 2027 and d.month == 2]
    freeze = refund_freeze_at(moment(2027, 2, 4, 15))
    assert freeze.expected_release_on == date(2027, 2, 15)

    for day in (5, 10, 11, 12, 13, 14):  # Feb 12 (Fri) is the business day before
        assert release_on(2027, 2, day, hour=23) == 0, day
    assert Freeze.objects.get(pk=freeze.pk).is_active

    assert release_on(2027, 2, 15) == 1
    assert releases(freeze) == 1
    assert_clean()


# ------------------------------------------------------------------------------ partial refunds


def test_partial_refund_waits_fifteen_business_days():
    freeze = refund_freeze_at(moment(2026, 9, 30), amount=Decimal("1200.00"), refunded=Decimal("300.00"))
    assert (freeze.reason, freeze.amount) == (Freeze.Reason.PARTIAL_REFUND, Decimal("300.00"))
    assert freeze.expected_release_on == date(2026, 10, 27)
    assert release_on(2026, 10, 10) == 0  # a normal refund would be back by now
    assert release_on(2026, 10, 26, hour=23) == 0
    assert release_on(2026, 10, 27) == 1
    assert releases(freeze) == 1
    assert_clean()


def test_routine_risk_freeze_without_a_refund_lifts_after_seven_calendar_days():
    with travel(2026, 9, 1):
        freeze = ledger.freeze_create(account=make_account(), amount=Decimal("200.00"),
                                      reason=Freeze.Reason.ROUTINE_RISK)
    assert freeze.expected_release_on == date(2026, 9, 8)
    assert release_on(2026, 9, 7, hour=23) == 0
    assert release_on(2026, 9, 8) == 1
    assert releases(freeze) == 1


# ---------------------------------------------------------------------- freezes that wait for a person


def _unsynced():
    return refund_freeze_at(moment(2026, 9, 1), amount=Decimal("86.50"), platform_synced=False,
                            order={"platform": Order.Platform.FOOD_DELIVERY})


def _banned():
    freeze = refund_freeze_at(moment(2026, 9, 1))
    ledger.account_set_status(account=freeze.account, status=CreditAccount.Status.BANNED, note="test")
    return freeze


def _by_reason(reason):
    def make():
        with travel(2026, 9, 1):
            freeze = ledger.freeze_create(account=make_account(), amount=Decimal("500.00"), reason=reason)
        # A malicious freeze has no date at all; give it one in the past: it still must not lift.
        Freeze.objects.filter(pk=freeze.pk).update(expected_release_on=date(2026, 9, 2))
        return Freeze.objects.get(pk=freeze.pk)
    return make


@pytest.mark.parametrize("make_held", [_unsynced, _banned, _by_reason(Freeze.Reason.ABNORMAL),
                                       _by_reason(Freeze.Reason.MALICIOUS)],
                         ids=["unsynced-external-refund", "banned-account", "abnormal", "malicious"])
def test_held_freezes_are_not_auto_released_even_when_due(make_held):
    held = make_held()
    control = refund_freeze_at(moment(2026, 9, 1))  # due on the same day: proves the poller ran
    assert held.expected_release_on is not None and held.expected_release_on <= date(2026, 9, 30)

    assert release_on(2026, 12, 31) == 1

    assert Freeze.objects.get(pk=control.pk).status == Freeze.Status.RELEASED
    assert Freeze.objects.get(pk=held.pk).status == Freeze.Status.ACTIVE
    assert releases(held) == 0
    assert not Notification.objects.filter(user=held.account.customer).exists()
    assert_clean()


def test_release_batches_walk_the_accounts_in_id_order_from_the_cursor():
    freezes = sorted((refund_freeze_at(moment(2026, 9, 1)) for _ in range(5)), key=lambda f: f.account_id)
    accounts = [freeze.account_id for freeze in freezes]
    with travel(2026, 12, 31, 8):
        assert auto_release_batch(batch_size=2) == (2, accounts[1])
        assert auto_release_batch(batch_size=2, after=accounts[3]) == (1, accounts[4])  # only above the cursor
        assert [releases(freeze) for freeze in freezes] == [1, 1, 0, 0, 1]
        assert auto_release_batch(batch_size=2, after=accounts[1]) == (2, accounts[3])
        assert auto_release_batch(batch_size=2, after=accounts[4]) == (0, None)
    assert [releases(freeze) for freeze in freezes] == [1] * 5
    assert_clean()


# ---------------------------------------------------------- an open appeal on a freeze that lifts by itself


def _claimed(appeal, agent):
    review.appeal_claim(appeal_id=appeal.pk, actor=agent)


def _info_requested(appeal, agent):
    _claimed(appeal, agent)
    review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充物流截图")


@pytest.mark.parametrize("before, prepare", [(State.SUBMITTED, None), (State.IN_REVIEW, _claimed),
                                             (State.INFO_REQUESTED, _info_requested)])
def test_open_appeal_is_resolved_when_its_freeze_auto_releases(before, prepare):
    freeze = refund_freeze_at(moment(2026, 9, 30, 9))
    agent = AgentFactory()
    with travel(2026, 9, 30, 10):
        appeal = file_appeal(freeze)
        if prepare:
            prepare(appeal, agent)
    assert Appeal.objects.get(pk=appeal.pk).state == before
    customer = appeal.customer
    notices_before = Notification.objects.filter(user=customer).count()

    assert release_on(2026, 10, 10) == 1

    appeal.refresh_from_db()
    assert appeal.state == State.RESOLVED
    assert appeal.decided_at == moment(2026, 10, 10, 8)
    event = appeal.events.last()
    assert (event.transition, event.actor, event.from_state, event.to_state) == ("resolve", None, before,
                                                                                  State.RESOLVED)
    new = Notification.objects.filter(user=customer).order_by("pk")[notices_before:]
    assert len(new) == 1  # the appeal's notice replaces the plain "available again" one
    assert new[0].appeal_id == appeal.pk
    assert appeal.reference in new[0].message and "599.00" in new[0].message

    with travel(2026, 10, 10, 11), pytest.raises(WrongState) as refused:
        decide.appeal_approve(appeal_id=appeal.pk, actor=agent)
    assert not isinstance(refused.value, AlreadyDecided)
    assert Appeal.objects.get(pk=appeal.pk).state == State.RESOLVED
    assert releases(freeze) == 1
    assert_clean()


# ------------------------------------------------------------------------------------ service levels


@pytest.mark.parametrize("reason, due", [
    (Freeze.Reason.NORMAL_REFUND, date(2026, 10, 10)),
    (Freeze.Reason.ROUTINE_RISK, date(2026, 10, 10)),
    (Freeze.Reason.PARTIAL_REFUND, date(2026, 10, 27)),
    (Freeze.Reason.ABNORMAL, date(2026, 10, 27)),
    (Freeze.Reason.MALICIOUS, date(2026, 11, 17)),
])
def test_appeal_due_at_is_n_business_days_by_freeze_reason(reason, due):
    assert clocks.appeal_due_at(reason=reason, submitted_at=moment(2026, 9, 30, 10)) == moment(
        due.year, due.month, due.day, 10)


def escalate_at(*args):
    with travel(*args):
        return escalate_overdue()


def test_appeal_past_its_due_time_is_escalated_once():
    freeze = refund_freeze_at(moment(2026, 9, 30, 9))
    with travel(2026, 9, 30, 10):
        appeal = file_appeal(freeze)
    assert appeal.due_at == moment(2026, 10, 10, 10)
    notices_before = Notification.objects.filter(user=appeal.customer).count()

    assert escalate_at(2026, 10, 10, 9, 59) == 0
    assert escalate_at(2026, 10, 10, 10, 0) == 0  # due at 10:00 is not yet past due
    fresh = Appeal.objects.get(pk=appeal.pk)
    assert (fresh.state, fresh.sla_breached) == (State.SUBMITTED, False)
    assert Notification.objects.filter(user=appeal.customer).count() == notices_before

    assert escalate_at(2026, 10, 10, 10, 1) == 1
    fresh = Appeal.objects.get(pk=appeal.pk)
    assert (fresh.state, fresh.sla_breached) == (State.ESCALATED, True)
    [event] = AppealEvent.objects.filter(appeal=appeal, transition="escalate_overdue")
    assert (event.actor, event.from_state, event.to_state) == (None, State.SUBMITTED, State.ESCALATED)
    [notice] = Notification.objects.filter(user=appeal.customer).order_by("pk")[notices_before:]
    assert appeal.reference in notice.message and notice.appeal_id == appeal.pk

    assert escalate_at(2026, 10, 10, 10, 2) == 0
    assert AppealEvent.objects.filter(appeal=appeal, transition="escalate_overdue").count() == 1
    assert Notification.objects.filter(user=appeal.customer).count() == notices_before + 1


def test_malicious_appeal_has_thirty_business_days():
    with travel(2026, 9, 30, 9):
        account = make_account()
        freeze = ledger.freeze_create(account=account, amount=Decimal("800.00"), reason=Freeze.Reason.MALICIOUS)
    with travel(2026, 9, 30, 10):
        appeal = submit_appeal(customer=account.customer, freeze_id=freeze.pk, order_number="",
                                        tracking_number="", description="我没有套现,请协助解冻", files=[])
    assert appeal.due_at == moment(2026, 11, 17, 10)
    assert escalate_at(2026, 10, 27, 10, 1) == 0  # past what a partial refund would get
    assert escalate_at(2026, 11, 17, 9, 59) == 0
    assert escalate_at(2026, 11, 17, 10, 1) == 1
    assert Appeal.objects.get(pk=appeal.pk).state == State.ESCALATED


def test_partial_refund_appeal_has_fifteen_business_days():
    freeze = refund_freeze_at(moment(2026, 9, 30, 9), amount=Decimal("1200.00"), refunded=Decimal("300.00"))
    with travel(2026, 9, 30, 10):
        appeal = file_appeal(freeze)
    assert appeal.due_at == moment(2026, 10, 27, 10)
    assert escalate_at(2026, 10, 26, 23, 59) == 0
    assert escalate_at(2026, 10, 27, 10, 1) == 1
