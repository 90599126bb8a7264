"""The dashboard's numbers per local day, computed from the raw tables by one function (`compute`)
and stored once the day is over (DailySummary), so a page reads 29 small rows and the live days'
events instead of every event of 30 days. `compute` fills a missing day and counts today alike.

Why a stored day cannot show a wrong number:
- Per event day (decisions, late, regulatory, closed/reopened, time to decision, decisions per agent,
  review overturns per agent who rejected): AppealEvent is append-only and its time is set when it
  is written (appeals.workflow.steps.log_event), so a day's events are fixed once the day is over.
  A day is stored only SETTLE after its end, past any transaction still in flight at midnight;
  until then it is computed live like today. What the stored day read of the appeal (filing time,
  due time) is fixed by the decision (a later due time belongs to a later decision).
- Per filing day, the risk rules (appeals filed that day by their CURRENT state and rules) do
  change later, but never silently: every state change writes an AppealEvent, and every
  (re)assessment of the rules sets risk_assessed_at. A stored day's rule part is used only if no
  appeal filed that day went into or out of a decided state, and none was assessed, since the
  oldest stored row was computed (less SETTLE); otherwise it is counted live with today's. The
  live days' events say which filing days they moved (the same pass that counts them); one query
  looks between the stored rows and the live days, by index. The beat job (`fill_past_days`, after
  midnight) stores the past days again, so that gap stays empty.
- Audit verdicts land days after the decision they judge: never stored, counted live per decision
  day (a small table: a verdict for a few percent of the decisions).
- Open appeals, overdue ones and the complaint-rule breaches are current state: counted live over
  the open states and the breached appeals (indexes), not over the whole table."""

import json
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.business_days import start_of

from .. import risk
from ..models import CLOSED_STATES, DECIDED_STATES, OPEN_STATES, Appeal, AppealEvent, DailySummary, State
from ..transitions import DECISIONS, Transition

# Time from submission to decision: the histogram's upper bounds (the last bucket has none).
BOUNDS = [timedelta(hours=4), timedelta(hours=24), timedelta(days=2), timedelta(days=5)]
# A past day is stored this long after its end (transactions in flight at midnight have committed).
SETTLE = timedelta(minutes=15)
EVENT_COUNTS = ("approved", "system", "rejected", "late", "regulatory", "closed", "reopened")


def local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _ranges(days) -> Q:
    """Q(created_at in any of the days), one range per run of consecutive days."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] == day:
            runs[-1][1] = day + timedelta(days=1)
        else:
            runs.append([day, day + timedelta(days=1)])
    q = Q(pk__in=[])
    for first, end in runs:
        q |= Q(created_at__gte=start_of(first), created_at__lt=start_of(end))
    return q


def _events(since: datetime, until: datetime, out: dict, moved: set) -> None:
    """Per event day: the decisions and the backlog's moves, decisions per actor; and into `moved`
    the filing days of appeals that went into or out of a decided state."""
    decision = Q(transition__in=DECISIONS)
    by_staff = decision & Q(to_state=State.APPROVED) & ~Q(transition=Transition.APPROVE_BY_SYSTEM)
    under = {f"under_{i}": Count("pk", filter=decision & Q(created_at__lt=F("appeal__created_at") + bound))
             for i, bound in enumerate(BOUNDS)}
    # An appeal leaves the backlog when it moves from an open state to a closed one, and comes back
    # when a rejection overturned on audit reopens it for four eyes.
    closing = Q(from_state__in=OPEN_STATES, to_state__in=CLOSED_STATES)
    reopening = Q(from_state__in=CLOSED_STATES, to_state__in=OPEN_STATES)
    moves = Q(from_state__in=DECIDED_STATES) | Q(to_state__in=DECIDED_STATES)  # what the rule counts see
    events = AppealEvent.objects.filter(Q(transition__in=[*DECISIONS, Transition.ESCALATE_REGULATORY]) | closing
                                        | reopening | moves, created_at__gte=since, created_at__lt=until)
    # One pass (the join to the appeals is the expensive part), grouped finely and summed here.
    rows = events.order_by().annotate(day=local_day("created_at"), filed=local_day("appeal__created_at")).values(
        "day", "filed", "to_state", "actor_id").annotate(
        closed=Count("pk", filter=closing), reopened=Count("pk", filter=reopening),
        approved=Count("pk", filter=by_staff),
        system=Count("pk", filter=Q(transition=Transition.APPROVE_BY_SYSTEM)),
        rejected=Count("pk", filter=decision & Q(to_state=State.REJECTED)),
        late=Count("pk", filter=decision & Q(created_at__gt=F("appeal__due_at"))),
        regulatory=Count("pk", filter=Q(transition=Transition.ESCALATE_REGULATORY)),
        decisions=Count("pk", filter=decision), moved=Count("pk", filter=moves), **under)
    agents: dict = {}
    for row in rows:
        day = out[row["day"].isoformat()]
        for key in EVENT_COUNTS:
            day[key] += row[key]
        day["under"] = [n + row[f"under_{i}"] for i, n in enumerate(day["under"])]
        if row["closed"]:
            day["closed_as"][row["to_state"]] = day["closed_as"].get(row["to_state"], 0) + row["closed"]
        if row["decisions"]:
            counts = agents.setdefault((row["day"], row["actor_id"]), [0, 0])
            counts[0] += row["decisions"]
            counts[1] += row["decisions"] if row["to_state"] == State.APPROVED else 0
        if row["moved"]:
            moved.add(row["filed"])
    for (day, actor_id), (n, approvals) in sorted(agents.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        out[day.isoformat()]["agents"].append([actor_id, n, approvals])


def _review_overturns(since: datetime, until: datetime, out: dict) -> None:
    """Per day: review overturns per agent who made the rejection (by user id)."""
    # Who made the rejection a review overturned: the last rejection of that appeal before the overturn.
    rejecter = (AppealEvent.objects.filter(appeal_id=OuterRef("appeal_id"), pk__lt=OuterRef("pk"),
                                           transition__in=[Transition.REJECT, Transition.REJECT_ESCALATED])
                .order_by("-pk").values("actor_id")[:1])
    for r in (AppealEvent.objects.filter(created_at__gte=since, created_at__lt=until,
                                         transition=Transition.OVERTURN_ON_REVIEW).order_by()
              .annotate(day=local_day("created_at"), rejecter=Subquery(rejecter)).values("day", "rejecter")
              .annotate(n=Count("pk"))):
        out[r["day"].isoformat()]["review_overturned"].append([r["rejecter"], r["n"]])


# Whether an appeal's JSON list holds a rule: one pass over the appeals. (Unnesting the lists
# instead, PostgreSQL guessed 100 rules an appeal and JIT-compiled the query.)
_HAS_RULE = {"postgresql": 'CASE WHEN "appeals_appeal"."risk_rules" @> %s::jsonb THEN 1 ELSE 0 END',
             "sqlite": 'EXISTS (SELECT 1 FROM json_each("appeals_appeal"."risk_rules") '
                       "WHERE json_extract(value, '$.code') = %s)"}


def _rules(days) -> dict:
    """Per filing day and current state: how many appeals each rule fired on, {iso day: {state: {code: n}}}."""
    vendor, codes = connection.vendor, list(risk.APPEAL_RULE_TEXTS)
    # The SQL is constant; the rule's code goes in as a parameter.
    found = {code: Sum(RawSQL(_HAS_RULE[vendor], [json.dumps([{"code": code}]) if vendor == "postgresql"  # noqa: S611
                                                   else code], output_field=IntegerField())) for code in codes}
    rows = (Appeal.objects.filter(_ranges(days)).exclude(risk_rules=[]).order_by()
            .annotate(day=local_day("created_at")).values("day", "state").annotate(**found))
    rules: dict = {}
    for row in rows:
        rules.setdefault(row["day"].isoformat(), {})[row["state"]] = {code: row[code] for code in codes if row[code]}
    return rules


def compute(days: list[date], rule_days=(), *, first: date | None = None) -> tuple[dict, dict, set]:
    """The numbers of `days` (consecutive, oldest first) from the raw tables, {iso day: counts}; the
    risk-rule part of them, of `rule_days` and of the filing days (from `first` on) of appeals
    whose decided state these days' events changed, {iso day: {state: {code: n}}}; and those days."""
    since, until = start_of(days[0]), start_of(days[-1] + timedelta(days=1))
    out = {day.isoformat(): {**dict.fromkeys(EVENT_COUNTS, 0), "under": [0] * len(BOUNDS), "closed_as": {},
                             "filed": 0, "agents": [], "review_overturned": []} for day in days}
    moved: set[date] = set()
    _events(since, until, out, moved)
    moved = {day for day in moved if day >= (first or days[0])}
    _review_overturns(since, until, out)
    for row in (Appeal.objects.filter(created_at__gte=since, created_at__lt=until).order_by()
                .annotate(day=local_day("created_at")).values("day").annotate(n=Count("pk"))):
        out[row["day"].isoformat()]["filed"] = row["n"]
    return out, _rules({*days, *rule_days, *moved}), moved


def _changed_filing_days(days: list[date], since: datetime, until: datetime) -> set[date]:
    """Filing days among `days` with an appeal whose risk rules were assessed since `since`, or that
    went into or out of a decided state between `since` and `until` (from `until` on: compute)."""
    first, end = start_of(days[0]), start_of(days[-1] + timedelta(days=1))
    moved = (AppealEvent.objects.filter(Q(from_state__in=DECIDED_STATES) | Q(to_state__in=DECIDED_STATES),
                                        created_at__gte=since, created_at__lt=until, appeal__created_at__gte=first,
                                        appeal__created_at__lt=end)
             .order_by().annotate(day=local_day("appeal__created_at")).values("day"))
    assessed = (Appeal.objects.filter(created_at__gte=first, created_at__lt=end, risk_assessed_at__gte=since)
                .order_by().annotate(day=local_day("created_at")).values("day"))
    return {row["day"] for row in moved.union(assessed)}


def settled(day: date, now: datetime) -> bool:
    return start_of(day + timedelta(days=1)) + SETTLE <= now


def window(days: list[date], now: datetime) -> tuple[dict, dict]:
    """The numbers and the risk-rule part of each of `days` (consecutive, today last): stored days
    read, the others computed from the first of them on, and those settled stored (once)."""
    stored = {row.day: row for row in DailySummary.objects.filter(day__in=days[:-1])}
    live = days[days.index(next(day for day in days if day not in stored)):]
    changed = (_changed_filing_days(days[:-1], min(row.computed_at for row in stored.values()) - SETTLE,
                                    start_of(live[0])) if stored else set())
    computed, rules, moved = compute(live, changed, first=days[0])
    new = [DailySummary(day=day, counts={**computed[day.isoformat()], "rules": rules.get(day.isoformat(), {})},
                        computed_at=now) for day in live if day not in stored and settled(day, now)]
    if new:
        DailySummary.objects.bulk_create(new, ignore_conflicts=True)  # another page may fill it at once
    fresh = {*live, *changed, *moved}
    numbers = {day: computed[day.isoformat()] if day in live else stored[day].counts for day in days}
    rule_parts = {day: rules.get(day.isoformat(), {}) if day in fresh else stored[day].counts["rules"]
                  for day in days}
    return numbers, rule_parts


def fill_past_days(*, today: date, days: int = 30, now: datetime | None = None) -> int:
    """The beat job: store (again) the settled days of the window before today, so that yesterday is
    stored and the rule parts of the others are fresh. Returns how many days it stored."""
    now = now or timezone.now()
    window = [today - timedelta(days=i) for i in reversed(range(1, days))]
    window = [day for day in window if settled(day, now)]
    if not window:
        return 0
    computed, rules, _moved = compute(window)
    DailySummary.objects.bulk_create(
        [DailySummary(day=day, counts={**computed[day.isoformat()], "rules": rules.get(day.isoformat(), {})},
                      computed_at=now) for day in window],
        update_conflicts=True, unique_fields=["day"], update_fields=["counts", "computed_at"])
    return len(window)
