"""Numbers for the supervisors' dashboard and the decisions export. Everything is counted in the
database (grouped by local day), so the dashboard takes the same dozen queries whatever the volume."""

import heapq
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import risk
from ..models import CLOSED_STATES, OPEN_STATES, Appeal, AppealEvent, AuditVerdict, ReviewEvent, State
from ..transitions import DECISIONS, Transition

# Time from submission to decision: the histogram's buckets, each with its upper bound (the last has none).
TIME_BUCKETS = [(timedelta(hours=4), _("< 4 h")), (timedelta(hours=24), _("4–24 h")),
                (timedelta(days=2), _("1–2 days")), (timedelta(days=5), _("2–5 days")), (None, _("> 5 days"))]


def _rate(part, whole):
    return part / whole if whole else None


@dataclass
class Day:
    day: date
    approved: int = 0  # by staff
    system: int = 0  # straight through: approved by the system, no agent involved
    rejected: int = 0
    late: int = 0  # decided after its due time
    regulatory: int = 0  # went past the complaint rules' deadline that day
    backlog: int = 0  # appeals open at the end of the day

    @property
    def decisions(self):
        return self.approved + self.system + self.rejected

    @property
    def straight_through_rate(self):
        return _rate(self.system, self.decisions)


@dataclass
class AgentRow:
    username: str
    decisions: int = 0
    approvals: int = 0
    audited: int = 0
    overturned: int = 0  # on audit
    review_overturned: int = 0  # rejections the customer's review overturned

    @property
    def approval_rate(self):
        return _rate(self.approvals, self.decisions)

    @property
    def overturn_rate(self):
        return _rate(self.overturned, self.audited)


@dataclass
class RuleRow:
    code: str
    title: str
    fired: int = 0
    decided: int = 0
    approved: int = 0

    @property
    def approval_rate(self):
        return _rate(self.approved, self.decided)


def decider_name(event) -> str:
    return event.actor.get_username() if event.actor else str(_("system"))


def _local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _per_day(queryset, field: str, **counts) -> dict:
    """One row per local day of `field`: {day: {name: count}}."""
    rows = queryset.order_by().annotate(day=_local_day(field)).values("day").annotate(**counts)
    return {row["day"]: row for row in rows}


def _events_per_day(since: datetime, until: datetime) -> dict:
    decision = Q(transition__in=DECISIONS)
    by_staff = decision & Q(to_state=State.APPROVED) & ~Q(transition=Transition.APPROVE_BY_SYSTEM)
    under = {f"under_{i}": Count("pk", filter=decision & Q(created_at__lt=F("appeal__created_at") + bound))
             for i, (bound, _label) in enumerate(TIME_BUCKETS) if bound}
    # An appeal leaves the backlog when it moves from an open state to a closed one, and comes back
    # when a rejection overturned on audit reopens it for four eyes.
    closing = Q(from_state__in=OPEN_STATES, to_state__in=CLOSED_STATES)
    reopening = Q(from_state__in=CLOSED_STATES, to_state__in=OPEN_STATES)
    events = AppealEvent.objects.filter(Q(transition__in=[*DECISIONS, Transition.ESCALATE_REGULATORY]) | closing
                                        | reopening, created_at__gte=since, created_at__lt=until)
    return _per_day(
        events, "created_at", closed=Count("pk", filter=closing), reopened=Count("pk", filter=reopening),
        approved=Count("pk", filter=by_staff),
        system=Count("pk", filter=Q(transition=Transition.APPROVE_BY_SYSTEM)),
        rejected=Count("pk", filter=decision & Q(to_state=State.REJECTED)),
        late=Count("pk", filter=decision & Q(created_at__gt=F("appeal__due_at"))),
        regulatory=Count("pk", filter=Q(transition=Transition.ESCALATE_REGULATORY)), **under)


def _days(days: list[date], since: datetime, until: datetime, open_now: int) -> tuple[list[Day], list]:
    """The days of the window and the time-to-decision histogram [(label, decisions)]."""
    events = _events_per_day(since, until)
    filed = _per_day(Appeal.objects.filter(created_at__gte=since, created_at__lt=until), "created_at", n=Count("pk"))
    out, backlog = [], open_now
    for day in reversed(days):  # from today's open count back: undo each day's filings and closings
        row = events.get(day, {})
        out.append(Day(day, **{key: row.get(key, 0) for key in ("approved", "system", "rejected", "late",
                                                                   "regulatory")}, backlog=backlog))
        backlog += row.get("closed", 0) - row.get("reopened", 0) - filed.get(day, {}).get("n", 0)
    out.reverse()
    under = [sum(row.get(f"under_{i}", 0) for row in events.values()) for i in range(len(TIME_BUCKETS) - 1)]
    total = sum(day.decisions for day in out)
    bounds = [0, *under, total]
    return out, [(label, bounds[i + 1] - bounds[i]) for i, (_bound, label) in enumerate(TIME_BUCKETS)]


def _agents(since: datetime, until: datetime) -> list[AgentRow]:
    rows: dict[str | None, AgentRow] = {}

    def row(username):
        return rows.setdefault(username, AgentRow(username or str(_("system"))))

    for r in (AppealEvent.objects.filter(transition__in=DECISIONS, created_at__gte=since, created_at__lt=until)
              .order_by().values("actor__username")
              .annotate(n=Count("pk"), approvals=Count("pk", filter=Q(to_state=State.APPROVED)))):
        row(r["actor__username"]).decisions, row(r["actor__username"]).approvals = r["n"], r["approvals"]
    for r in (AuditVerdict.objects.filter(sample__event__created_at__gte=since, sample__event__created_at__lt=until)
              .order_by().values("sample__decided_by__username")
              .annotate(n=Count("pk"), overturned=Count("pk", filter=Q(verdict=AuditVerdict.Verdict.OVERTURNED)))):
        agent = row(r["sample__decided_by__username"])
        agent.audited, agent.overturned = r["n"], r["overturned"]
    # Who made the rejection a review overturned: the last rejection of that appeal before the overturn.
    rejecter = (AppealEvent.objects.filter(appeal_id=OuterRef("appeal_id"), pk__lt=OuterRef("pk"),
                                           transition__in=[Transition.REJECT, Transition.REJECT_ESCALATED])
                .order_by("-pk").values("actor__username")[:1])
    for r in (AppealEvent.objects.filter(transition=Transition.OVERTURN_ON_REVIEW, created_at__gte=since,
                                         created_at__lt=until)
              .order_by().annotate(rejecter=Subquery(rejecter)).values("rejecter").annotate(n=Count("pk"))):
        row(r["rejecter"]).review_overturned = r["n"]
    return sorted(rows.values(), key=lambda agent: (-agent.decisions, agent.username))


# Per rule, whether an appeal's JSON list holds it: one pass over the appeals with rules, grouped by
# state. (Unnesting the lists instead, PostgreSQL guessed 100 rules an appeal and JIT-compiled the
# query: 0.7 s at 100,000 appeals.)
_HAS_RULE = {"postgresql": "COUNT(*) FILTER (WHERE a.risk_rules @> %s::jsonb)",
             "sqlite": "SUM(EXISTS (SELECT 1 FROM json_each(a.risk_rules) WHERE json_extract(value, '$.code') = %s))"}
_NO_RULES = {"postgresql": "'[]'::jsonb", "sqlite": "'[]'"}


def _rules(since: datetime, until: datetime) -> list[RuleRow]:
    """Per risk rule, among the appeals filed in the window: how often it fired and how often the
    appeals were approved anyway. Most often approved first: the rules that misfire most."""
    vendor, codes = connection.vendor, list(risk.APPEAL_RULE_TEXTS)
    found = ", ".join([_HAS_RULE[vendor]] * len(codes))
    sql = (f"SELECT a.state, {found} FROM appeals_appeal a WHERE a.created_at >= %s AND a.created_at < %s "  # noqa: S608
           f"AND a.risk_rules <> {_NO_RULES[vendor]} GROUP BY a.state")
    needles = [json.dumps([{"code": code}]) if vendor == "postgresql" else code for code in codes]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*needles, connection.ops.adapt_datetimefield_value(since),
                             connection.ops.adapt_datetimefield_value(until)])
        found = cursor.fetchall()
    rows = {code: RuleRow(code, str(risk.APPEAL_RULE_TEXTS[code][0])) for code in codes}
    for state, *counts in found:
        for code, n in zip(codes, counts, strict=True):
            rows[code].fired += n or 0  # SUM of nothing is NULL on SQLite
            rows[code].decided += (n or 0) if state in (State.APPROVED, State.REJECTED) else 0
            rows[code].approved += (n or 0) if state == State.APPROVED else 0
    fired = [rule for rule in rows.values() if rule.fired]
    return sorted(fired, key=lambda r: (-(r.approval_rate or 0), -r.fired, r.title))


def dashboard(*, days: int = 30, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    window = [today - timedelta(days=i) for i in reversed(range(days))]
    since = timezone.make_aware(datetime.combine(window[0], time.min))
    until = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    # One pass over the appeals for every count by state (the table is read once, not four times).
    by_state = {row["state"]: row for row in Appeal.objects.order_by().values("state").annotate(
        n=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now, clock_paused_at__isnull=True)),
        regulatory=Count("pk", filter=Q(regulatory_breached=True)),
        regulatory_recent=Count("pk", filter=Q(regulatory_breached=True, created_at__gte=since)))}

    def total(key, states=State.values):
        return sum(by_state[state][key] for state in states if state in by_state)

    per_day, histogram = _days(window, since, until, total("n", OPEN_STATES))
    decisions = sum(day.decisions for day in per_day)
    return {
        "by_state": [(label, total("n", [value])) for value, label in State.choices],
        "days": per_day,
        "time_to_decision": histogram,
        "decisions": decisions,
        "within_a_day_rate": _rate(histogram[0][1] + histogram[1][1], decisions),
        "sla_breach_rate": _rate(sum(day.late for day in per_day), decisions),
        "straight_through_rate": _rate(sum(day.system for day in per_day), decisions),
        "open_overdue": total("overdue", OPEN_STATES),
        # The complaint rules' deadline (Art. 18): the goal is zero.
        "regulatory_breaches": total("regulatory_recent"),
        "open_regulatory_breaches": total("regulatory", OPEN_STATES),
        "waiting_on_customer": total("n", [State.INFO_REQUESTED]),
        "agents": _agents(since, until),
        "rules": _rules(since, until),
    }


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
