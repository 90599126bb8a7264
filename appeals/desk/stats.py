"""Numbers for the supervisors' dashboard and the decisions export; a fixed number of queries."""

import heapq
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import OPEN_STATES, Appeal, AppealEvent, AuditVerdict, ReviewEvent, State
from ..transitions import DECISIONS, Transition


@dataclass
class AgentRow:
    username: str
    decisions: int = 0
    approvals: int = 0
    audited: int = 0
    overturned: int = 0
    handling_hours: list | None = None

    @property
    def approval_rate(self):
        return self.approvals / self.decisions if self.decisions else None

    @property
    def overturn_rate(self):
        return self.overturned / self.audited if self.audited else None

    @property
    def median_handling_hours(self):
        return statistics.median(self.handling_hours) if self.handling_hours else None


def decider_name(event) -> str:
    return event.actor.get_username() if event.actor else str(_("system"))


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def decision_rows(start: datetime, end: datetime):
    """Decision events in [start, end) with what the export and the dashboard need."""
    return (
        AppealEvent.objects.filter(transition__in=DECISIONS, created_at__gte=start, created_at__lt=end)
        .select_related("appeal__freeze", "actor")
        .order_by("created_at", "pk")
    )


# What the export lists: every decision, every overturn of one (audit or review), every review's answer.
OVERTURNS = [Transition.OVERTURN_REJECTION, Transition.OVERTURN_APPROVAL, Transition.OVERTURN_ON_REVIEW]
REVIEW_DECISIONS = [ReviewEvent.Action.UPHOLD, ReviewEvent.Action.OVERTURN, ReviewEvent.Action.CONFIRM_OVERTURN]


def export_rows(start: datetime, end: datetime):
    """Appeal decisions and overturns, and review decisions, in [start, end), merged in time order."""
    appeal_events = (AppealEvent.objects.filter(transition__in=[*DECISIONS, *OVERTURNS], created_at__gte=start,
                                                created_at__lt=end)
                     .select_related("appeal__freeze", "appeal__proposed_by", "actor").order_by("created_at", "pk"))
    review_events = (ReviewEvent.objects.filter(action__in=REVIEW_DECISIONS, created_at__gte=start, created_at__lt=end)
                     .select_related("review__appeal", "review__freeze", "review__proposed_by", "actor")
                     .order_by("created_at", "pk"))
    return heapq.merge(appeal_events.iterator(chunk_size=500), review_events.iterator(chunk_size=500),
                       key=lambda event: event.created_at)


def dashboard(*, days: int = 30, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = timezone.make_aware(datetime.combine(today - timedelta(days=days - 1), time.min))
    by_state = dict(Appeal.objects.order_by().values_list("state").annotate(n=Count("pk")))
    decisions = list(decision_rows(since, now + timedelta(seconds=1)))
    claims = {
        appeal_id: at for appeal_id, at in AppealEvent.objects.filter(
            transition=Transition.CLAIM, appeal_id__in={d.appeal_id for d in decisions}
        ).order_by("created_at").values_list("appeal_id", "created_at")
    }
    verdicts = dict(AuditVerdict.objects.filter(sample__event__in=decisions).values_list("sample__event_id",
                                                                                          "verdict"))
    per_day = {today - timedelta(days=i): Counter() for i in range(days)}
    agents: dict[int, AgentRow] = {}
    to_decision, breached = [], 0
    for event in decisions:
        per_day[timezone.localdate(event.created_at)][event.to_state] += 1
        appeal = event.appeal
        to_decision.append(_hours(event.created_at - appeal.created_at))
        breached += appeal.due_at is not None and event.created_at > appeal.due_at
        row = agents.setdefault(event.actor_id, AgentRow(decider_name(event), handling_hours=[]))
        row.decisions += 1
        row.approvals += event.to_state == State.APPROVED
        if event.pk in verdicts:
            row.audited += 1
            row.overturned += verdicts[event.pk] == AuditVerdict.Verdict.OVERTURNED
        if event.appeal_id in claims:
            row.handling_hours.append(_hours(event.created_at - claims[event.appeal_id]))
    return {
        "by_state": [(label, by_state.get(value, 0)) for value, label in State.choices],
        "per_day": sorted(per_day.items()),
        "decisions": len(decisions),
        "median_hours_to_decision": statistics.median(to_decision) if to_decision else None,
        "sla_breach_rate": breached / len(decisions) if decisions else None,
        "open_overdue": Appeal.objects.filter(state__in=OPEN_STATES, due_at__lt=now,
                                              clock_paused_at__isnull=True).count(),
        # The complaint rules' deadline (Art. 18): the goal is zero.
        "regulatory_breaches": Appeal.objects.filter(regulatory_breached=True, created_at__gte=since).count(),
        "open_regulatory_breaches": Appeal.objects.filter(state__in=OPEN_STATES, regulatory_breached=True).count(),
        "waiting_on_customer": Appeal.objects.filter(state=State.INFO_REQUESTED).count(),
        "agents": sorted(agents.values(), key=lambda row: -row.decisions),
    }


def bar_chart(per_day: list[tuple[date, Counter]], *, width=600, height=160) -> dict:
    """Coordinates for a server-drawn SVG stacked bar chart of approvals and rejections per day."""
    peak = max((sum(c.values()) for _, c in per_day), default=0) or 1
    slot = width / max(len(per_day), 1)
    bars = []
    for i, (day, counts) in enumerate(per_day):
        approved = counts.get(State.APPROVED, 0) * (height - 20) / peak
        rejected = counts.get(State.REJECTED, 0) * (height - 20) / peak
        bars.append({
            "x": round(i * slot + 1, 1), "w": round(slot - 2, 1), "day": day,
            "approved_h": round(approved, 1), "approved_y": round(height - approved, 1),
            "rejected_h": round(rejected, 1), "rejected_y": round(height - approved - rejected, 1),
            "approved": counts.get(State.APPROVED, 0), "rejected": counts.get(State.REJECTED, 0),
        })
    return {"bars": bars, "width": width, "height": height, "peak": peak}
