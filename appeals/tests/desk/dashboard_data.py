"""A known set of appeals for the dashboard's tests (the fixture `known` in conftest.py)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts.tests.factories import AgentFactory, SupervisorFactory
from appeals.models import Appeal, AppealEvent, AuditSample, AuditVerdict, State
from appeals.tests.factories import refund_freeze
from appeals.transitions import Transition

TZ = ZoneInfo(settings.TIME_ZONE)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=TZ)
DASHBOARD = "admin:appeals_dashboard"


def at(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def appeal(filed, state, *rules, due=None, **fields):
    freeze = refund_freeze()
    made = Appeal.objects.create(customer=freeze.account.customer, freeze=freeze, state=state, description="退货",
                                 created_at=filed, due_at=due or filed + timedelta(days=3),
                                 risk_rules=[{"code": code, "level": "medium", "params": {}} for code in rules],
                                 **fields)
    AppealEvent.objects.create(appeal=made, transition=Transition.SUBMIT, to_state=State.SUBMITTED, created_at=filed)
    return made


def event(appeal, transition, when, actor=None, *, was=State.IN_REVIEW, to=None):
    to = to or {"reject": State.REJECTED, "reject_escalated": State.REJECTED}.get(transition, State.APPROVED)
    return AppealEvent.objects.create(appeal=appeal, actor=actor, transition=transition, from_state=was, to_state=to,
                                      created_at=when)


def known_appeals():
    """Seven appeals around 2026-03-10 (Shanghai time), decisions by amy, bob and the system."""
    amy, bob, auditor = AgentFactory(username="amy"), AgentFactory(username="bob"), SupervisorFactory(username="sue")
    a1 = appeal(at(3, 8, 9), State.APPROVED, "refunds_per_day", "refunds_per_day")  # one rule, listed twice
    e1 = event(a1, Transition.APPROVE, at(3, 8, 11), amy)  # 2 h
    a2 = appeal(at(3, 8, 10), State.REJECTED, "refunds_per_day", "evidence_reused")
    e2 = event(a2, Transition.REJECT, at(3, 9, 12), amy)  # 26 h
    a3 = appeal(at(3, 9, 8), State.APPROVED)
    event(a3, Transition.APPROVE_BY_SYSTEM, at(3, 9, 8, 5), was=State.SUBMITTED)  # straight through, 5 min
    a4 = appeal(at(3, 2, 9), State.APPROVED, "returns_in_7_days")
    event(a4, Transition.APPROVE, at(3, 9, 10), bob)  # 7 days, past its due time (03-05)
    appeal(at(3, 9, 9), State.SUBMITTED, "refunds_per_day")  # open
    a6 = appeal(at(2, 20, 9), State.ESCALATED, regulatory_breached=True)
    event(a6, Transition.ESCALATE_REGULATORY, at(3, 7, 10), was=State.IN_REVIEW, to=State.ESCALATED)
    old = appeal(at(1, 2, 9), State.APPROVED, "returns_in_7_days")  # before the window: not counted
    event(old, Transition.APPROVE, at(1, 3, 9), amy)
    for decision, verdict in ((e1, AuditVerdict.Verdict.OVERTURNED), (e2, AuditVerdict.Verdict.CONFIRMED)):
        sample = AuditSample.objects.create(event=decision, appeal=decision.appeal, decided_by=amy,
                                            decided_on=decision.created_at.date(), reason=AuditSample.Reason.SAMPLED)
        AuditVerdict.objects.create(sample=sample, supervisor=auditor, verdict=verdict, note="复核")
    a7 = appeal(at(2, 25, 9), State.APPROVED)
    event(a7, Transition.REJECT, at(2, 26, 10), amy)  # 25 h
    event(a7, Transition.OVERTURN_ON_REVIEW, at(3, 10, 9), auditor, was=State.REJECTED)
    return auditor


