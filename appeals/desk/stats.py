"""Numbers for the supervisors' dashboard and the decisions export. The past days come from their
stored summaries and today from the raw tables (appeals.desk.daily, which says why the stored
numbers cannot go stale), so the dashboard takes the same dozen queries whatever the volume."""

import heapq
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.business_days import start_of

from .. import risk
from ..models import CLOSED_STATES, OPEN_STATES, Appeal, AppealEvent, AuditVerdict, ReviewEvent, State
from ..transitions import DECISIONS, Transition
from . import daily

# Time from submission to decision: the histogram's buckets, each with its upper bound (the last has none).
TIME_BUCKETS = list(zip([*daily.BOUNDS, None], [_("< 4 h"), _("4–24 h"), _("1–2 days"), _("2–5 days"),
                                                  _("> 5 days")], strict=True))


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


def _days(window: list[date], numbers: dict, open_now: int) -> list[Day]:
    out, backlog = [], open_now
    for day in reversed(window):  # from today's open count back: undo each day's filings and closings
        row = numbers[day]
        out.append(Day(day, **{key: row[key] for key in ("approved", "system", "rejected", "late", "regulatory")},
                       backlog=backlog))
        backlog += row["closed"] - row["reopened"] - row["filed"]
    out.reverse()
    return out


def _histogram(numbers: dict, decisions: int) -> list:
    """The time-to-decision histogram [(label, decisions)]."""
    under = [sum(row["under"][i] for row in numbers.values()) for i in range(len(TIME_BUCKETS) - 1)]
    bounds = [0, *under, decisions]
    return [(label, bounds[i + 1] - bounds[i]) for i, (_bound, label) in enumerate(TIME_BUCKETS)]


def _agents(numbers: dict, first: date, last: date) -> list[AgentRow]:
    """Decisions and review overturns from the days' numbers; audits live (verdicts land later),
    keyed by the (local) day of the decision they judge."""
    counts: dict[int | None, list[int]] = {}

    def row(user_id):
        return counts.setdefault(user_id, [0] * 5)

    for day in numbers.values():
        for user_id, n, approvals in day["agents"]:
            row(user_id)[0] += n
            row(user_id)[1] += approvals
        for user_id, n in day["review_overturned"]:
            row(user_id)[4] += n
    for r in (AuditVerdict.objects.filter(sample__decided_on__gte=first, sample__decided_on__lte=last)
              .order_by().values("sample__decided_by_id")
              .annotate(n=Count("pk"), overturned=Count("pk", filter=Q(verdict=AuditVerdict.Verdict.OVERTURNED)))):
        row(r["sample__decided_by_id"])[2:4] = r["n"], r["overturned"]
    names = dict(get_user_model().objects.filter(pk__in=[pk for pk in counts if pk]).values_list("pk", "username"))
    rows = [AgentRow(names[pk] if pk else str(_("system")), *values) for pk, values in counts.items()]
    return sorted(rows, key=lambda agent: (-agent.decisions, agent.username))


def _rules(numbers: dict, open_now: dict) -> list[RuleRow]:
    """Per risk rule, the decisions of the window on appeals it fired on and how many approved
    anyway, and the open appeals it fired on (`open_now`, {code: n}). Most often approved first:
    the rules that misfire most."""
    rows = {code: RuleRow(code, str(texts[0]), fired=open_now.get(code, 0))
            for code, texts in risk.APPEAL_RULE_TEXTS.items()}
    for day in numbers.values():
        for code, (decided, approved) in day["rules"].items():
            rows[code].fired += decided
            rows[code].decided += decided
            rows[code].approved += approved
    fired = [rule for rule in rows.values() if rule.fired]
    return sorted(fired, key=lambda r: (-(r.approval_rate or 0), -r.fired, r.title))


def dashboard(*, days: int = 30, now: datetime | None = None) -> dict:
    """The numbers of the last `days` days: past days from their stored summaries (appeals.desk.daily),
    today and the current state live."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    window = [today - timedelta(days=i) for i in reversed(range(days))]
    since = start_of(window[0])
    numbers = daily.window(window, now)
    # The open appeals (and the rules they carry) and the breached ones (both small, by index) in one pass.
    current = Appeal.objects.filter(Q(state__in=OPEN_STATES) | Q(regulatory_breached=True, created_at__gte=since))
    by_state = {row["state"]: row for row in current.order_by().values("state").annotate(
        n=Count("pk", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("pk", filter=Q(state__in=OPEN_STATES, due_at__lt=now, clock_paused_at__isnull=True)),
        regulatory=Count("pk", filter=Q(state__in=OPEN_STATES, regulatory_breached=True)),
        regulatory_recent=Count("pk", filter=Q(regulatory_breached=True, created_at__gte=since)),
        **daily.rule_counts(Q(state__in=OPEN_STATES)))}

    def total(key, states=State.values):
        return sum(by_state[state][key] or 0 for state in states if state in by_state)  # a Sum of none: None

    per_day = _days(window, numbers, total("n", OPEN_STATES))
    decisions = sum(day.decisions for day in per_day)
    histogram = _histogram(numbers, decisions)
    closed = {state: sum(day["closed_as"].get(state, 0) for day in numbers.values()) for state in CLOSED_STATES}
    return {
        "open_by_state": [(State(state).label, total("n", [state])) for state in OPEN_STATES],
        "closed_by_state": [(State(state).label, closed[state]) for state in CLOSED_STATES],
        "days": per_day,
        "time_to_decision": histogram,
        "decisions": decisions,
        "within_a_day_rate": _rate(histogram[0][1] + histogram[1][1], decisions),
        "sla_breach_rate": _rate(sum(day.late for day in per_day), decisions),
        "straight_through_rate": _rate(sum(day.system for day in per_day), decisions),
        "open_overdue": total("overdue"),
        # The complaint rules' deadline (Art. 18): the goal is zero.
        "regulatory_breaches": total("regulatory_recent"),
        "open_regulatory_breaches": total("regulatory"),
        "waiting_on_customer": total("n", [State.INFO_REQUESTED]),
        "agents": _agents(numbers, window[0], today),
        "rules": _rules(numbers, {code: total(f"rule_{code}") for code in risk.APPEAL_RULE_TEXTS}),
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
