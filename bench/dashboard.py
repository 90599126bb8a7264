"""Dashboard scaling: the supervisors' dashboard (30 days of charts, agents and risk rules) over
100,000 decisions against the same page over 1,000.

    .venv/bin/python bench/dashboard.py [--smoke] [--json out.json]

A logged-in supervisor (django test Client, force_login) opens the dashboard. Two databases are
built: 1,000 decided appeals, then a copy of it grown to 100,000 (same staff). Each appeal has its
own credit line rows (bench/datagen.py) and one decision event (approved by an agent, by the
system, or rejected) spread over the last 28 days, 0–99 hours after filing (never after now); a third carry one of
five risk rules, 2 % of the decisions are sampled for audit and half of those judged. Requests
alternate between the two databases in blocks, so noise on the shared machine hits both alike.
Reported: median time per page (large ÷ small ≤ 2) and the queries per page (identical for both),
both on warm pages: the first page of each database stores the 29 past days (appeals.desk.daily);
that cold page is timed on its own and reported without a target.
"""

import sys
from datetime import timedelta

import common

NAME = "dashboard"
TARGET_RATIO = 2.0
RULES = ["refunds_per_day", "returns_in_7_days", "evidence_reused", "evidence_contradicts", "item_mismatch"]


def _decided_at(filed, i, now):
    """0–99 hours after filing; an appeal filed too recently for that is decided somewhere between
    its filing and now (capping at now piled 12 % of a month's decisions into today's last second)."""
    delay = timedelta(hours=i % 100)
    return filed + delay if filed + delay <= now else filed + (now - filed) * ((i % 10) / 10)


def _spread(datagen, ids, agents, supervisors, start):
    """Filing days, risk rules, decision events and audit samples for the appeals `ids`."""
    from django.utils import timezone

    from appeals.models import Appeal, AppealEvent, AuditSample, AuditVerdict, State

    now = timezone.now()
    for days in range(28):  # filed over four weeks: a few UPDATEs, one per day back
        filed = now - timedelta(days=days, hours=days % 5)
        Appeal.objects.filter(pk__in=ids[days::28]).update(created_at=filed, risk_assessed_at=filed)
    for r, code in enumerate(RULES):
        Appeal.objects.filter(pk__in=ids[r::3 * len(RULES)]).update(
            risk_rules=[{"code": code, "level": "medium", "params": {}}])
    events = []
    for pk, created, state in Appeal.objects.filter(pk__in=ids).values_list("pk", "created_at", "state"):
        i = start + len(events)
        system = state == State.APPROVED and i % 5 == 0
        transition = "approve_by_system" if system else "approve" if state == State.APPROVED else "reject"
        events.append(AppealEvent(appeal_id=pk, actor=None if system else agents[i % len(agents)],
                                  transition=transition, from_state=State.SUBMITTED if system else State.IN_REVIEW,
                                  to_state=state, created_at=_decided_at(created, i, now)))
    events = AppealEvent.objects.bulk_create(events, batch_size=datagen.BATCH)
    sampled = AuditSample.objects.bulk_create([
        AuditSample(event=e, appeal_id=e.appeal_id, decided_by=e.actor, decided_on=timezone.localdate(e.created_at),
                    reason=AuditSample.Reason.SAMPLED) for e in events[::50]], batch_size=datagen.BATCH)
    AuditVerdict.objects.bulk_create([
        AuditVerdict(sample=s, supervisor=supervisors[0], verdict="overturned" if n % 4 == 0 else "confirmed",
                     note="bench") for n, s in enumerate(sampled[::2])], batch_size=datagen.BATCH)


def build(datagen, tag, n, agents, supervisors, start=0):
    from appeals.models import State

    customer_ids = datagen.customers(tag, n // 4 + (n % 4 > 0))
    freezes = datagen.credit_lines(tag, customer_ids, freezes_per_account=4)[:n]
    ids = datagen.appeals(tag, freezes, agents=agents, supervisors=supervisors, start=start, evidence=0,
                          states=[State.APPROVED, State.APPROVED, State.REJECTED])
    _spread(datagen, ids, agents, supervisors, start)


def _measure(sizes, supervisor, page, rounds, block):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from appeals.models import AppealEvent

    timings, queries, shown, clients, cold = {key: [] for key in sizes}, {}, {}, {}, {}
    for key, (db, n) in sizes.items():
        common.switch_database(db)
        clients[key] = common.client(shared_with=next(iter(clients.values()), None))
        clients[key].force_login(supervisor)  # the session is stored in this database
        shown[key] = {"decisions": AppealEvent.objects.exclude(transition="submit").count(), "target": n}
        with common.Timer() as t:  # the cold page: computes the 30 days and stores the past 29
            assert clients[key].get(page).status_code == 200
        cold[key] = t.seconds
        for _ in range(3):  # warm up: templates, caches, the database's buffers
            assert clients[key].get(page).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            assert clients[key].get(page).status_code == 200
        queries[key] = [q["sql"] for q in captured.captured_queries]
    for _round in range(rounds):
        for key, (db, _n) in sizes.items():
            common.switch_database(db)
            clients[key].get(page)  # first request after the switch opens the connection: untimed
            for _ in range(block):
                with common.Timer() as t:
                    assert clients[key].get(page).status_code == 200
                timings[key].append(t.seconds)
    return timings, queries, shown, clients, cold


def main() -> int:
    p = common.parser(__doc__)
    p.add_argument("--small", type=int, default=1_000)
    p.add_argument("--large", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=6, help="alternating blocks per database")
    p.add_argument("--block", type=int, default=5, help="timed requests per block")
    args = p.parse_args()
    if args.smoke:
        args.small, args.large, args.rounds, args.block = 20, 200, 2, 2
    url = common.bootstrap(NAME)

    import atexit

    import datagen
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    agents, supervisors = datagen.staff("db")
    with common.Timer() as t:
        build(datagen, "da", args.small, agents, supervisors)
        common.verify_ledger()
    common.log(NAME, f"{args.small} decisions built in {t.seconds:.1f} s")
    common.analyze()
    connection.close()
    small_url = common.clone(url, f"{common.db_name(url)}_small")
    atexit.register(common.drop, small_url)
    with common.Timer() as t:
        build(datagen, "dl", args.large - args.small, agents, supervisors, start=args.small)
        common.verify_ledger()
    common.log(NAME, f"grown to {args.large} decisions in {t.seconds:.1f} s")
    common.analyze()
    common.checkpoint(url)

    sizes = {"small": (small_url, args.small), "large": (url, args.large)}
    page = reverse("admin:appeals_dashboard")
    # Not the auditor of the samples: as any supervisor opens it.
    timings, queries, shown, clients, cold = _measure(sizes, supervisors[1], page, args.rounds, args.block)

    common.switch_database(url)  # where the time goes at the large size: each query's own time
    with CaptureQueriesContext(connection) as captured:
        clients["large"].get(page)
    slowest = sorted(({"ms": float(q["time"]) * 1000, "sql": q["sql"][:300]} for q in captured.captured_queries),
                     key=lambda q: -q["ms"])[:4]

    small_ms, large_ms = common.median(timings["small"]) * 1000, common.median(timings["large"]) * 1000
    ratio = large_ms / small_ms
    n_small, n_large = len(queries["small"]), len(queries["large"])
    rows = [
        common.row(f"dashboard, {args.large:,} vs {args.small:,} decisions", measured=large_ms, baseline=small_ms,
                   ratio=ratio, target=f"≤ {TARGET_RATIO}", passed=ratio <= TARGET_RATIO, unit="ms (median)"),
        common.row("dashboard, queries per page", measured=n_large, baseline=n_small, ratio=n_large / n_small,
                   target="same", passed=n_small == n_large, unit="queries"),
        common.row(f"dashboard, first page (stores 29 days), {args.large:,} vs {args.small:,}",
                   measured=cold["large"] * 1000, baseline=cold["small"] * 1000, ratio=cold["large"] / cold["small"],
                   unit="ms (once)"),
    ]
    details = {"sizes": shown, "timings_ms": {k: [round(v * 1000, 2) for v in vals] for k, vals in timings.items()},
               "queries_large": queries["large"], "slowest_queries_large": slowest, "url": page}
    return common.emit(args, NAME, rows, details)


if __name__ == "__main__":
    sys.exit(main())
