"""Queue scaling: the agents' appeal queue (admin changelist, 100 rows a page) with 100,000 appeals
against the same page with 1,000.

    .venv/bin/python bench/queue_scaling.py [--smoke] [--json out.json]

A logged-in agent (django test Client, force_login; no TOTP in the bench settings) opens the default
queue (open appeals, most urgent first). Two databases are built: 1,000 appeals, then a copy of it
grown to 100,000 (same staff, same state mix: two thirds open; each appeal with its own refund
freeze, order, refund, customer and ledger rows, three evidence rows). Requests alternate between
the two in blocks, so noise on the shared machine hits both alike. Reported: median time per page
(large ÷ small ≤ 1.5) and the queries per page (identical for both, ≤ 12).
"""

import sys

import common

NAME = "queue_scaling"
TARGET_RATIO, MAX_QUERIES = 1.5, 12


def build(datagen, tag, n, agents, supervisors, start=0):
    customer_ids = datagen.customers(tag, n // 4 + (n % 4 > 0))
    freezes = datagen.credit_lines(tag, customer_ids, freezes_per_account=4)[:n]
    datagen.appeals(tag, freezes, agents=agents, supervisors=supervisors, start=start)


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

    import datagen
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from appeals.models import OPEN_STATES, Appeal

    agents, supervisors = datagen.staff("qs")
    agent = agents[0]
    with common.Timer() as t:
        build(datagen, "qa", args.small, agents, supervisors)
        common.verify_ledger()
    common.log(NAME, f"{args.small} appeals built in {t.seconds:.1f} s")
    common.analyze()
    connection.close()
    small_url = common.clone(url, f"{common.db_name(url)}_small")
    import atexit

    atexit.register(common.drop, small_url)

    with common.Timer() as t:
        build(datagen, "qb", args.large - args.small, agents, supervisors, start=args.small)
        common.verify_ledger()
    common.log(NAME, f"grown to {args.large} appeals in {t.seconds:.1f} s")
    common.analyze()
    sizes = {"small": (small_url, args.small), "large": (url, args.large)}

    page = reverse("admin:appeals_appeal_changelist")
    clients, timings, queries, shown = {}, {"small": [], "large": []}, {}, {}
    for key, (db, n) in sizes.items():
        common.switch_database(db)
        assert Appeal.objects.count() == n, (key, Appeal.objects.count())
        shown[key] = {"appeals": n, "open": Appeal.objects.filter(state__in=OPEN_STATES).count()}
        client = common.client(shared_with=next(iter(clients.values()), None))
        client.force_login(agent)
        clients[key] = client
        for _ in range(3):  # warm up: templates, caches, the database's buffers
            response = client.get(page)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page)
        html = response.content.decode()
        rows = html.count('<th class="field-reference">')
        assert rows == min(100, shown[key]["open"]), (key, rows)
        queries[key] = [q["sql"] for q in captured.captured_queries]
        shown[key]["rows_on_page"] = rows

    for _round in range(args.rounds):
        for key, (db, _n) in sizes.items():
            common.switch_database(db)
            clients[key].get(page)  # first request after the switch opens the connection: untimed
            for _ in range(args.block):
                with common.Timer() as t:
                    response = clients[key].get(page)
                assert response.status_code == 200
                timings[key].append(t.seconds)

    # Where the time goes at the large size: each query's own time, one captured request.
    common.switch_database(url)
    with CaptureQueriesContext(connection) as captured:
        clients["large"].get(page)
    slowest = sorted(({"ms": float(q["time"]) * 1000, "sql": q["sql"][:300]} for q in captured.captured_queries),
                     key=lambda q: -q["ms"])[:4]

    small_ms, large_ms = common.median(timings["small"]) * 1000, common.median(timings["large"]) * 1000
    ratio = large_ms / small_ms
    n_small, n_large = len(queries["small"]), len(queries["large"])
    same = n_small == n_large
    rows = [
        common.row(f"queue page, {args.large:,} vs {args.small:,} appeals", measured=large_ms, baseline=small_ms,
                   ratio=ratio, target=f"≤ {TARGET_RATIO}", passed=ratio <= TARGET_RATIO, unit="ms (median)"),
        common.row("queue page, queries per page", measured=n_large, baseline=n_small, ratio=n_large / n_small,
                   target=f"same, ≤ {MAX_QUERIES}", passed=same and n_large <= MAX_QUERIES, unit="queries"),
    ]
    details = {"sizes": shown, "timings_ms": {k: [round(v * 1000, 2) for v in vals] for k, vals in timings.items()},
               "queries_large": queries["large"], "slowest_queries_large": slowest, "url": page}
    return common.emit(args, NAME, rows, details)


if __name__ == "__main__":
    sys.exit(main())
