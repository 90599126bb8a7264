"""Every release of a freeze closes the open appeals left on it, whatever released it, and the
customer is told why (a timeline line and a message). A second appeal filed after the first was
rejected stayed in the queue when a supervisor overturned the first and released the freeze."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Freeze
from accounts.tests.factories import AgentFactory, SupervisorFactory
from appeals import selectors
from appeals.models import AuditSample, AuditVerdict, Notification, RejectReason, State
from appeals.tests.factories import file_appeal, refund_freeze
from appeals.transitions import Transition
from appeals.workflow import audit, decide, review, timers

pytestmark = pytest.mark.django_db


@pytest.fixture
def rejected_then_refiled():
    agent = AgentFactory()
    freeze = refund_freeze(Decimal("1288.00"))
    first = file_appeal(freeze)
    review.appeal_claim(appeal_id=first.pk, actor=agent)
    decide.appeal_reject(appeal_id=first.pk, actor=agent, reason=RejectReason.EVIDENCE_MISSING, message="缺少物流截图")
    second = file_appeal(freeze)  # the customer tries again with better screenshots
    assert second.state == State.SUBMITTED
    return agent, freeze, first, second


def _closed_and_told(appeal, why_fragment):
    appeal.refresh_from_db()
    assert appeal.state == State.RESOLVED and appeal.decided_at
    event = appeal.events.get(transition=Transition.RESOLVE_RELEASED)
    assert event.actor is None and why_fragment in event.customer_message
    timeline = [line for _when, line in selectors.customer_timeline(appeal)]
    assert any(why_fragment in line for line in timeline), timeline
    message = Notification.objects.filter(appeal=appeal).order_by("-pk").first().message
    assert appeal.reference in message and why_fragment in message and "1288.00" in message


def test_overturning_the_first_appeal_s_rejection_closes_the_second(rejected_then_refiled):
    agent, freeze, first, second = rejected_then_refiled
    event = first.events.get(transition=Transition.REJECT)
    sample = AuditSample.objects.create(event=event, appeal=first, decided_by=agent,
                                        decided_on=timezone.localdate(), reason=AuditSample.Reason.SAMPLED)
    audit.audit_record_verdict(sample_id=sample.pk, supervisor=SupervisorFactory(),
                               verdict=AuditVerdict.Verdict.OVERTURNED, note="物流记录其实在系统里")
    freeze.refresh_from_db()
    assert freeze.status == Freeze.Status.RELEASED
    first.refresh_from_db()
    assert first.state == State.APPROVED
    _closed_and_told(second, first.reference)


def test_the_timer_closes_the_second_appeal_too(rejected_then_refiled):
    _agent, freeze, _first, second = rejected_then_refiled
    Freeze.objects.filter(pk=freeze.pk).update(expected_release_on=timezone.localdate() - timedelta(days=1))
    timers.auto_release_due()
    second.refresh_from_db()
    assert second.state == State.RESOLVED


def test_approving_one_appeal_leaves_no_other_open_on_its_freeze(rejected_then_refiled):
    agent, freeze, first, second = rejected_then_refiled
    review.appeal_claim(appeal_id=second.pk, actor=agent)
    assert decide.appeal_approve(appeal_id=second.pk, actor=agent).released
    second.refresh_from_db()
    assert second.state == State.APPROVED
    assert not freeze.appeals.filter(state__in=[State.SUBMITTED, State.IN_REVIEW, State.INFO_REQUESTED,
                                                 State.ESCALATED]).exists()
