"""The two clocks of an appeal (appeals.workflow.clocks, deadline, timers): the service level and
the complaint rules' 15-calendar-day deadline, both paused while the appeal waits on the customer
(or, announced, on an external platform), extensions by one supervisor and then a second, and a
breach of the deadline escalated once.

Calendar (holidays 0.109, as in test_timers): National Day 2026 Thu Oct 1 – Wed Oct 7 off, Sat
Oct 10 a make-up workday; Spring Festival 2027 Fri Feb 5 – Wed Feb 10 off, no make-up day."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Freeze, Order
from accounts.services import ledger
from accounts.tests.factories import AgentFactory, SupervisorFactory, make_account, make_order, make_refund
from appeals.errors import InvalidAppeal, NotAllowed, WrongState
from appeals.models import Appeal, AppealEvent, DeadlineExtension, Notification, PauseReason, State
from appeals.tests.factories import file_appeal, submit_appeal
from appeals.workflow import deadline, review, submit, sync
from appeals.workflow.timers import escalate_overdue, escalate_regulatory

from .test_timers import assert_clean, moment, refund_freeze_at, travel

pytestmark = pytest.mark.django_db


def fresh(appeal):
    return Appeal.objects.get(pk=appeal.pk)


def filed_and_claimed(when, freeze=None, agent=None):
    freeze = freeze or refund_freeze_at(when - timedelta(hours=1))
    agent = agent or AgentFactory()
    with time_at(when):
        appeal = file_appeal(freeze)
    with time_at(when + timedelta(minutes=30)):
        review.appeal_claim(appeal_id=appeal.pk, actor=agent)
    return fresh(appeal), agent


def time_at(when):
    return travel(when.year, when.month, when.day, when.hour, when.minute)


def ask_and_reply(appeal, agent, asked, replied):
    with time_at(asked):
        review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充退款凭证")
    with time_at(replied):
        submit.appeal_resubmit(appeal_id=appeal.pk, actor=appeal.customer, message="已补充", files=[])
    return fresh(appeal)


def test_a_new_appeal_has_both_clocks():
    appeal, _agent = filed_and_claimed(moment(2026, 9, 28, 10))
    assert appeal.due_at == moment(2026, 10, 8, 10)  # 3 business days: Sep 29, Sep 30, Oct 8
    assert appeal.regulatory_due_at == moment(2026, 10, 13, 10)  # 15 calendar days
    assert not appeal.is_paused


def test_waiting_for_the_customer_across_national_day_pauses_both_clocks_and_a_late_reply_is_no_breach():
    appeal, agent = filed_and_claimed(moment(2026, 9, 28, 10))
    with time_at(moment(2026, 9, 29, 15)):
        review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充物流截图")
    waiting = fresh(appeal)
    assert (waiting.clock_paused_at, waiting.clock_pause_reason) == (moment(2026, 9, 29, 15), PauseReason.CUSTOMER)

    with time_at(moment(2026, 10, 8, 11)):  # past the original due time, still waiting: nobody is late
        assert not fresh(appeal).is_overdue
        assert escalate_overdue() == 0 and escalate_regulatory() == 0
    with time_at(moment(2026, 10, 9, 11)):
        submit.appeal_resubmit(appeal_id=appeal.pk, actor=appeal.customer, message="补充了", files=[])
    replied = fresh(appeal)
    # The wait covered 3 business days (Sep 30, Oct 8, Oct 9): Sep 28 + 6 = Oct 12 (Sat Oct 10 is a workday).
    assert replied.due_at == moment(2026, 10, 12, 10)
    # The complaint deadline moves by the calendar time waited: 9 days 20 hours.
    assert replied.regulatory_due_at == moment(2026, 10, 23, 6)
    assert (replied.state, replied.clock_paused_at, replied.clock_pause_reason) == (State.IN_REVIEW, None, "")

    with time_at(moment(2026, 10, 12, 10)):
        assert escalate_overdue() == 0
    with time_at(moment(2026, 10, 12, 10, 1)):
        assert escalate_overdue() == 1
    assert (fresh(appeal).state, fresh(appeal).sla_breached) == (State.ESCALATED, True)


def test_waiting_over_the_spring_festival_counts_only_the_reply_day():
    appeal, agent = filed_and_claimed(moment(2027, 2, 4, 10))
    assert appeal.due_at == moment(2027, 2, 15, 10)  # Feb 11, Feb 12, Feb 15
    replied = ask_and_reply(appeal, agent, moment(2027, 2, 4, 16), moment(2027, 2, 11, 9))
    assert replied.due_at == moment(2027, 2, 16, 10)  # one business day waited: Feb 11
    assert replied.regulatory_due_at == moment(2027, 2, 19, 10) + timedelta(days=6, hours=17)


def test_a_wait_within_one_day_moves_the_due_time_by_its_length():
    appeal, agent = filed_and_claimed(moment(2026, 11, 2, 9))
    replied = ask_and_reply(appeal, agent, moment(2026, 11, 3, 10), moment(2026, 11, 3, 12, 30))
    assert replied.due_at == moment(2026, 11, 5, 11, 30)
    assert replied.regulatory_due_at == moment(2026, 11, 17, 11, 30)


def malicious_appeal(when):
    with time_at(when - timedelta(hours=1)):
        account = make_account()
        refund = make_refund(make_order(account, Decimal("2300.00")))
        freeze = Freeze.objects.get(refund=refund)
        ledger.freeze_release(freeze=freeze, source=Freeze.ReleaseSource.STAFF, note="test setup")
        risk = ledger.freeze_create(account=account, amount=Decimal("800.00"), reason=Freeze.Reason.MALICIOUS)
    with time_at(when):
        appeal = submit_appeal(customer=account.customer, freeze_id=risk.pk, order_number="",
                                      tracking_number="", description="我没有套现", files=[])
    return fresh(appeal)


def test_a_regulatory_breach_escalates_once_and_tells_the_customer_the_hotline():
    appeal = malicious_appeal(moment(2026, 9, 28, 10))
    assert appeal.due_at > appeal.regulatory_due_at == moment(2026, 10, 13, 10)  # 30 business days > 15 days
    with time_at(moment(2026, 10, 13, 10)):
        assert escalate_regulatory() == 0
    notices = Notification.objects.filter(appeal=appeal).count()
    with time_at(moment(2026, 10, 13, 10, 1)):
        assert escalate_regulatory() == 1
        assert escalate_overdue() == 0  # the service level itself is not breached
    breached = fresh(appeal)
    assert (breached.state, breached.regulatory_breached, breached.sla_breached) == (State.ESCALATED, True, False)
    [event] = AppealEvent.objects.filter(appeal=appeal, transition="escalate_regulatory")
    assert (event.actor, event.from_state, event.to_state) == (None, State.SUBMITTED, State.ESCALATED)
    [notice] = Notification.objects.filter(appeal=appeal).order_by("pk")[notices:]
    assert "12378" in notice.message and appeal.reference in notice.message
    with time_at(moment(2026, 10, 20)):
        assert escalate_regulatory() == 0
    assert AppealEvent.objects.filter(appeal=appeal, transition="escalate_regulatory").count() == 1
    assert_clean()


def test_an_escalated_appeal_past_the_deadline_is_flagged_once_too():
    appeal, agent = filed_and_claimed(moment(2026, 9, 28, 10), freeze=None)
    with time_at(moment(2026, 9, 29, 9)):
        review.appeal_escalate(appeal_id=appeal.pk, actor=agent, note="金额异常")
    with time_at(moment(2026, 10, 14)):
        assert escalate_regulatory() == 1
        assert escalate_regulatory() == 0
    assert (fresh(appeal).state, fresh(appeal).regulatory_breached) == (State.ESCALATED, True)


def test_a_paused_appeal_past_the_deadline_is_not_breached():
    appeal, agent = filed_and_claimed(moment(2026, 9, 28, 10))
    with time_at(moment(2026, 9, 29, 15)):
        review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充")
    with time_at(moment(2026, 11, 1)):
        assert escalate_regulatory() == 0 and escalate_overdue() == 0
    assert not fresh(appeal).regulatory_breached


def test_extensions_one_supervisor_then_a_second_and_the_customer_is_told_why():
    appeal, agent = filed_and_claimed(moment(2026, 9, 28, 10))
    first, second = SupervisorFactory(), SupervisorFactory()
    with time_at(moment(2026, 10, 5)):
        with pytest.raises(NotAllowed):
            deadline.appeal_deadline_extend(appeal_id=appeal.pk, actor=agent, reason="复杂")
        with pytest.raises(InvalidAppeal):
            deadline.appeal_deadline_extend(appeal_id=appeal.pk, actor=first, reason="  ")
        deadline.appeal_deadline_extend(appeal_id=appeal.pk, actor=first, reason="需要向物流公司核实退货")
    assert fresh(appeal).regulatory_due_at == moment(2026, 10, 28, 10)  # 30 days
    notice = Notification.objects.filter(appeal=appeal).latest("pk")
    assert "需要向物流公司核实退货" in notice.message and "2026-10-28 10:00" in notice.message

    with time_at(moment(2026, 10, 20)):
        proposal = deadline.appeal_deadline_extend(appeal_id=appeal.pk, actor=first, reason="涉及多个平台")
        assert not proposal.is_approved
        assert fresh(appeal).regulatory_due_at == moment(2026, 10, 28, 10)  # not yet
        with pytest.raises(NotAllowed):
            deadline.appeal_deadline_approve(appeal_id=appeal.pk, actor=first)  # not the proposer
        with pytest.raises(NotAllowed):
            deadline.appeal_deadline_approve(appeal_id=appeal.pk, actor=agent)
        deadline.appeal_deadline_approve(appeal_id=appeal.pk, actor=second)
        with pytest.raises(WrongState):
            deadline.appeal_deadline_extend(appeal_id=appeal.pk, actor=second, reason="再延长")
        with pytest.raises(WrongState):
            deadline.appeal_deadline_approve(appeal_id=appeal.pk, actor=second)
    assert fresh(appeal).regulatory_due_at == moment(2026, 11, 27, 10)  # a further 30
    assert list(AppealEvent.objects.filter(appeal=appeal, transition__in=[
        "extend_deadline", "propose_extension"]).values_list("transition", "actor")) == [
        ("extend_deadline", first.pk), ("propose_extension", first.pk), ("extend_deadline", second.pk)]
    with time_at(moment(2026, 11, 27, 10, 1)):
        assert escalate_regulatory() == 1


def test_an_extension_comes_before_the_deadline_not_after():
    appeal, _agent = filed_and_claimed(moment(2026, 9, 28, 10))
    with time_at(moment(2026, 10, 13, 10, 1)), pytest.raises(WrongState):
        deadline.appeal_deadline_extend(appeal_id=appeal.pk, actor=SupervisorFactory(), reason="太晚了")


def test_the_database_refuses_a_further_extension_approved_by_its_requester():
    appeal, _agent = filed_and_claimed(moment(2026, 9, 28, 10))
    boss = SupervisorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlineExtension.objects.create(appeal=appeal, step=2, days=30, reason="x", requested_by=boss,
                                         approved_by=boss, approved_at=moment(2026, 10, 1))


def unsynced_external_freeze(when):
    return refund_freeze_at(when, amount=Decimal("86.50"), platform_synced=False,
                            platform_refund_id=f"MT{when:%m%d%H}", order={"platform": Order.Platform.FOOD_DELIVERY})


def test_waiting_for_the_platform_pauses_with_a_notice_and_the_confirmation_resumes():
    freeze = unsynced_external_freeze(moment(2026, 11, 2, 9))
    appeal, agent = filed_and_claimed(moment(2026, 11, 2, 10), freeze=freeze)
    with time_at(moment(2026, 11, 3, 10)):
        with pytest.raises(InvalidAppeal):
            deadline.appeal_wait_for_platform(appeal_id=appeal.pk, actor=agent, message="")
        deadline.appeal_wait_for_platform(appeal_id=appeal.pk, actor=agent, message="已向外卖平台核实")
        with pytest.raises(WrongState):
            deadline.appeal_wait_for_platform(appeal_id=appeal.pk, actor=agent, message="again")
    notice = Notification.objects.filter(appeal=appeal).latest("pk")
    assert "已向外卖平台核实" in notice.message
    assert fresh(appeal).clock_pause_reason == PauseReason.PLATFORM
    with time_at(moment(2026, 11, 20)):
        assert escalate_overdue() == 0 and escalate_regulatory() == 0
    with time_at(moment(2026, 11, 6, 10)):
        sync.refund_synced(refund_id=freeze.refund.platform_refund_id)
    resumed = fresh(appeal)
    assert resumed.clock_paused_at is None
    assert resumed.regulatory_due_at == moment(2026, 11, 20, 10)  # Nov 17 + the 3 days waited
    assert (appeal.due_at, resumed.due_at) == (moment(2026, 11, 5, 10), moment(2026, 11, 10, 10))  # + Nov 4, 5, 6


def test_only_an_unconfirmed_platform_refund_can_be_waited_for():
    appeal, agent = filed_and_claimed(moment(2026, 11, 2, 10))
    with time_at(moment(2026, 11, 3)), pytest.raises(WrongState):
        deadline.appeal_wait_for_platform(appeal_id=appeal.pk, actor=agent, message="等待平台")


def test_a_request_to_the_customer_while_the_platform_is_asked_waits_for_the_customer():
    freeze = unsynced_external_freeze(moment(2026, 11, 2, 9))
    appeal, agent = filed_and_claimed(moment(2026, 11, 2, 10), freeze=freeze)
    with time_at(moment(2026, 11, 3, 10)):
        deadline.appeal_wait_for_platform(appeal_id=appeal.pk, actor=agent, message="已向外卖平台核实")
    with time_at(moment(2026, 11, 4, 10)):
        review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充外卖平台的退款截图")
    waiting = fresh(appeal)
    assert (waiting.clock_paused_at, waiting.is_waiting_for_customer) == (moment(2026, 11, 3, 10), True)
    with time_at(moment(2026, 11, 5, 10)):
        sync.refund_synced(refund_id=freeze.refund.platform_refund_id)
    assert fresh(appeal).is_paused  # still waiting for the customer
    with time_at(moment(2026, 11, 6, 10)):
        submit.appeal_resubmit(appeal_id=appeal.pk, actor=appeal.customer, message="已上传", files=[])
    resumed = fresh(appeal)
    assert (resumed.is_paused, resumed.regulatory_due_at) == (False, moment(2026, 11, 20, 10))


def test_an_appeal_closed_while_waiting_has_its_clocks_moved_by_the_wait():
    appeal, agent = filed_and_claimed(moment(2026, 9, 28, 10))
    with time_at(moment(2026, 9, 29, 15)):
        review.appeal_request_info(appeal_id=appeal.pk, actor=agent, message="请补充")
    with time_at(moment(2026, 10, 9, 11)):
        submit.appeal_withdraw(appeal_id=appeal.pk, actor=appeal.customer)
    closed = fresh(appeal)
    assert (closed.state, closed.is_paused, closed.due_at) == (State.WITHDRAWN, False, moment(2026, 10, 12, 10))
