"""The dashboard's numbers per local day, computed from the raw tables by one function (`compute`)
and stored once the day is over (DailySummary), so a page reads 29 small rows and today's events
instead of every event of 30 days. `compute` fills a missing day and counts today alike.

Why a stored day cannot show a wrong number: everything stored is counted per event day
(filings, decisions, late, regulatory, closed/reopened, time to decision, decisions per agent, the risk
rules they were made on, review overturns per agent who rejected). AppealEvent is append-only and
its time is set when it is written (appeals.workflow.steps.log_event), so a day's events are fixed
once the day is over. A day is stored only SETTLE after its end, past any transaction still in
flight at midnight; until then it is computed live like today. What a stored day read of the
appeal is fixed by the decision too: its filing and due time, and its risk rules (assessed before
any decision can be made, appeals.workflow.steps.RiskPending; assessed again only while the appeal
is open again, before its next decision, which counts with its own day).
What changes after a day is over is never stored: audit verdicts (they land days after the
decision they judge; counted live per decision day, a small table), and the open appeals, the
overdue ones, the rules they carry and the complaint-rule breaches (current state, counted live
over the open states and the breached appeals by index, not over the whole table)."""

import json
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.business_days import start_of

from .. import risk
from ..models import CLOSED_STATES, OPEN_STATES, Appeal, AppealEvent, DailySummary, State
from ..transitions import DECISIONS, Transition

# Time from submission to decision: the histogram's upper bounds (the last bucket has none).
BOUNDS = [timedelta(hours=4), timedelta(hours=24), timedelta(days=2), timedelta(days=5)]
# A past day is stored this long after its end (transactions in flight at midnight have committed).
SETTLE = timedelta(minutes=15)
EVENT_COUNTS = ("approved", "system", "rejected", "late", "regulatory", "closed", "reopened")


def local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


# Whether an appeal's JSON list holds a rule, 1 or 0. (Unnesting the lists instead, PostgreSQL
# guessed 100 rules an appeal and JIT-compiled the query.)
_HAS_RULE = {"postgresql": 'CASE WHEN "appeals_appeal"."risk_rules" @> %s::jsonb THEN 1 ELSE 0 END',
             "sqlite": 'EXISTS (SELECT 1 FROM json_each("appeals_appeal"."risk_rules") '
                       "WHERE json_extract(value, '$.code') = %s)"}


def rule_counts(among: Q, rules: str = "risk_rules") -> dict:
    """Aggregates: per risk rule, how many of the rows `among` carry it, {"rule_<code>": Sum}, on a
    query of appeals or of events (then `rules` is "appeal__risk_rules": the join to the appeal).
    The SQL is constant; the rule's code goes in as a parameter."""
    vendor, among = connection.vendor, among & ~Q(**{rules: []})  # most appeals carry none: skip them first
    return {f"rule_{code}": Sum(RawSQL(_HAS_RULE[vendor], [json.dumps([{"code": code}]) if vendor == "postgresql"  # noqa: S611
                                                          else code], output_field=IntegerField()), filter=among)
            for code in risk.APPEAL_RULE_TEXTS}


def _events(since: datetime, until: datetime, out: dict) -> None:
    """Per event day: the decisions and the backlog's moves, decisions per actor, and per risk rule
    the decisions on appeals that carried it and how many of them approved."""
    decision = Q(transition__in=DECISIONS)
    by_staff = decision & Q(to_state=State.APPROVED) & ~Q(transition=Transition.APPROVE_BY_SYSTEM)
    under = {f"under_{i}": Count("pk", filter=decision & Q(created_at__lt=F("appeal__created_at") + bound))
             for i, bound in enumerate(BOUNDS)}
    # An appeal leaves the backlog when it moves from an open state to a closed one, and comes back
    # when a rejection overturned on audit reopens it for four eyes.
    closing = Q(from_state__in=OPEN_STATES, to_state__in=CLOSED_STATES)
    reopening = Q(from_state__in=CLOSED_STATES, to_state__in=OPEN_STATES)
    events = AppealEvent.objects.filter(Q(transition__in=[*DECISIONS, Transition.ESCALATE_REGULATORY]) | closing
                                        | reopening, created_at__gte=since, created_at__lt=until)
    # One pass (the join to the appeals is the expensive part), grouped finely and summed here.
    rows = events.order_by().annotate(day=local_day("created_at")).values("day", "to_state", "actor_id").annotate(
        closed=Count("pk", filter=closing), reopened=Count("pk", filter=reopening),
        approved=Count("pk", filter=by_staff),
        system=Count("pk", filter=Q(transition=Transition.APPROVE_BY_SYSTEM)),
        rejected=Count("pk", filter=decision & Q(to_state=State.REJECTED)),
        late=Count("pk", filter=decision & Q(created_at__gt=F("appeal__due_at"))),
        regulatory=Count("pk", filter=Q(transition=Transition.ESCALATE_REGULATORY)),
        decisions=Count("pk", filter=decision), **under, **rule_counts(decision, "appeal__risk_rules"))
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
        for code in risk.APPEAL_RULE_TEXTS:
            if row[f"rule_{code}"]:
                decided = day["rules"].setdefault(code, [0, 0])  # decisions, approvals
                decided[0] += row[f"rule_{code}"]
                decided[1] += row[f"rule_{code}"] if row["to_state"] == State.APPROVED else 0
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


def compute(days: list[date]) -> dict:
    """The numbers of `days` (consecutive, oldest first) from the raw tables, {iso day: counts}."""
    since, until = start_of(days[0]), start_of(days[-1] + timedelta(days=1))
    out = {day.isoformat(): {**dict.fromkeys(EVENT_COUNTS, 0), "under": [0] * len(BOUNDS), "closed_as": {},
                             "filed": 0, "agents": [], "review_overturned": [], "rules": {}} for day in days}
    _events(since, until, out)
    _review_overturns(since, until, out)
    for row in (Appeal.objects.filter(created_at__gte=since, created_at__lt=until).order_by()
                .annotate(day=local_day("created_at")).values("day").annotate(n=Count("pk"))):
        out[row["day"].isoformat()]["filed"] = row["n"]
    return out


def settled(day: date, now: datetime) -> bool:
    return start_of(day + timedelta(days=1)) + SETTLE <= now


def window(days: list[date], now: datetime) -> dict:
    """The numbers of each of `days` (consecutive, today last): stored days read, the others
    computed from the first of them on, and those settled stored (once)."""
    stored = {row.day: row.counts for row in DailySummary.objects.filter(day__in=days[:-1])}
    live = days[days.index(next(day for day in days if day not in stored)):]
    computed = compute(live)
    new = [DailySummary(day=day, counts=computed[day.isoformat()], computed_at=now)
           for day in live if day not in stored and settled(day, now)]
    if new:
        DailySummary.objects.bulk_create(new, ignore_conflicts=True)  # another page may fill it at once
    return {day: computed[day.isoformat()] if day in live else stored[day] for day in days}


def fill_past_days(*, today: date, days: int = 30, now: datetime | None = None) -> int:
    """The beat job: store the settled days of the window before today that no page has stored yet
    (a quiet night's yesterday), so that no page has to. Returns how many days it stored."""
    now = now or timezone.now()
    past = [today - timedelta(days=i) for i in reversed(range(1, days))]
    stored = set(DailySummary.objects.filter(day__in=past).values_list("day", flat=True))
    missing = [day for day in past if day not in stored and settled(day, now)]
    if not missing:
        return 0
    computed = compute(past[past.index(missing[0]):past.index(missing[-1]) + 1])
    DailySummary.objects.bulk_create([DailySummary(day=day, counts=computed[day.isoformat()], computed_at=now)
                                      for day in missing], ignore_conflicts=True)
    return len(missing)
