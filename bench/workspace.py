"""Workspace scaling: the agent's appeal page (the admin change view: screenshots with their OCR
boxes, the checks, the record, the risk, the customer's history, the transition log) with 100,000
appeals and a customer with 200 earlier appeals, against 1,000 appeals and a first-time customer.

    .venv/bin/python bench/workspace.py [--smoke] [--json out.json]

A logged-in agent (django test Client, force_login; no TOTP in the bench settings) opens an appeal
it has claimed. Two databases are built: 1,000 appeals (bench/datagen.py, the queue's mix) of which
one is the opened appeal of a customer with no other; then a copy grown to 100,000, of which one is
the opened appeal of a customer with 200 earlier decided appeals over 20 months (each with its
screenshots and events; a few refunds in the last 30 days and three more open freezes). Both opened
appeals look alike: three ready screenshots with their OCR lines, the checks all ✓ pointing at them,
the risk assessed, six events in the log (two requests for information answered, the customer told
of each) and the carrier's record of the return. Requests alternate between the two databases in
blocks, so noise on the shared machine hits both alike. Reported: median time per page (large ÷
small ≤ 1.5) and the queries per page (identical for both).
"""

import sys
from datetime import timedelta

import common

NAME = "workspace"
TARGET_RATIO = 1.5


def _check_page(html, appeal_pk, expect_earlier):
    """The real page: three screenshots with every OCR box, every check, the log, the history."""
    from appeals.models import Appeal, AppealEvent, Evidence

    appeal = Appeal.objects.get(pk=appeal_pk)
    lines = sum(len(e.ocr_lines) for e in Evidence.objects.filter(appeal_id=appeal_pk))
    assert html.count('<figure class="shot') == 3, html.count('<figure class="shot')
    assert html.count("<polygon ") == lines and lines > 30, (html.count("<polygon "), lines)
    assert html.count('<tr class="check-match">') == len(appeal.evidence_checks) == 6
    assert html.count('class="ocr-box ocr-relied ocr-match') == 6
    assert AppealEvent.objects.filter(appeal_id=appeal_pk).count() == 6
    assert html.count('class="field-get_transition_display"') == 6, html.count('field-get_transition_display')
    assert 'name="_fsm_transition_to" value="approve"' in html  # claimed by this agent, risk assessed
    earlier = Appeal.objects.filter(customer_id=appeal.customer_id).exclude(pk=appeal_pk)
    assert earlier.count() == expect_earlier, (earlier.count(), expect_earlier)
    shown = sum(f'/admin/appeals/appeal/{pk}/change/"' in html for pk in earlier.values_list("pk", flat=True))
    assert shown == min(10, expect_earlier), shown


def _history(appeal_pk):
    from django.utils import timezone

    from accounts.models import Freeze, Refund
    from appeals.models import Appeal

    appeal = Appeal.objects.select_related("freeze").get(pk=appeal_pk)
    account = appeal.freeze.account_id
    return {"earlier_appeals": Appeal.objects.filter(customer_id=appeal.customer_id).exclude(pk=appeal_pk).count(),
            "refunds_30_days": Refund.objects.filter(order__account_id=account,
                                                     created_at__gte=timezone.now() - timedelta(days=30)).count(),
            "open_freezes": Freeze.objects.filter(account_id=account, status=Freeze.Status.ACTIVE).count()}


def _measure(sizes, agent, rounds, block):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from appeals.models import Appeal

    timings, queries, shown, clients, pages = {key: [] for key in sizes}, {}, {}, {}, {}
    for key, (db, n, appeal_pk, earlier) in sizes.items():
        common.switch_database(db)
        assert Appeal.objects.count() == n, (key, Appeal.objects.count(), n)
        pages[key] = reverse("admin:appeals_appeal_change", args=[appeal_pk])
        clients[key] = common.client(shared_with=next(iter(clients.values()), None))
        clients[key].force_login(agent)  # the session is stored in this database
        for _ in range(3):  # warm up: templates, caches, the database's buffers
            assert clients[key].get(pages[key]).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            response = clients[key].get(pages[key])
        assert response.status_code == 200, response.status_code
        _check_page(response.content.decode(), appeal_pk, earlier)
        queries[key] = [q["sql"] for q in captured.captured_queries]
        shown[key] = {"appeals": n, **_history(appeal_pk), "page_bytes": len(response.content)}
    for _round in range(rounds):
        for key, (db, *_rest) in sizes.items():
            common.switch_database(db)
            clients[key].get(pages[key])  # first request after the switch opens the connection: untimed
            for _ in range(block):
                with common.Timer() as t:
                    assert clients[key].get(pages[key]).status_code == 200
                timings[key].append(t.seconds)
    return timings, queries, shown, clients, pages


def main() -> int:
    p = common.parser(__doc__)
    p.add_argument("--small", type=int, default=1_000)
    p.add_argument("--large", type=int, default=100_000)
    p.add_argument("--earlier", type=int, default=200, help="the large side's customer's earlier appeals")
    p.add_argument("--rounds", type=int, default=6, help="alternating blocks per database")
    p.add_argument("--block", type=int, default=5, help="timed requests per block")
    args = p.parse_args()
    if args.smoke:
        args.small, args.large, args.earlier, args.rounds, args.block = 20, 200, 20, 2, 2
    url = common.bootstrap(NAME)

    import atexit

    import datagen
    import workspace_data as data
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agents, supervisors = datagen.staff("ws")
    agent = agents[0]
    with common.Timer() as t:
        small_pk = data.build_small(datagen, args.small, agent, agents, supervisors)
        common.verify_ledger()
    common.log(NAME, f"{args.small} appeals built in {t.seconds:.1f} s")
    common.analyze()
    connection.close()
    small_url = common.clone(url, f"{common.db_name(url)}_small")
    atexit.register(common.drop, small_url)
    with common.Timer() as t:
        large_pk = data.build_large(datagen, args.small, args.large, args.earlier, agent, agents, supervisors)
        common.verify_ledger()
    common.log(NAME, f"grown to {args.large} appeals, {args.earlier} earlier for one customer, in {t.seconds:.1f} s")
    common.analyze()
    common.checkpoint(url)

    sizes = {"small": (small_url, args.small, small_pk, 0), "large": (url, args.large, large_pk, args.earlier)}
    timings, queries, shown, clients, pages = _measure(sizes, agent, args.rounds, args.block)

    common.switch_database(url)  # where the time goes at the large size: each query's own time
    with CaptureQueriesContext(connection) as captured:
        clients["large"].get(pages["large"])
    slowest = sorted(({"ms": float(q["time"]) * 1000, "sql": q["sql"][:300]} for q in captured.captured_queries),
                     key=lambda q: -q["ms"])[:4]
    common.verify_ledger()

    small_ms, large_ms = common.median(timings["small"]) * 1000, common.median(timings["large"]) * 1000
    ratio = large_ms / small_ms
    n_small, n_large = len(queries["small"]), len(queries["large"])
    rows = [
        common.row(f"appeal workspace page, {args.large:,} appeals + {args.earlier} earlier vs {args.small:,} + none",
                   measured=large_ms, baseline=small_ms, ratio=ratio, target=f"≤ {TARGET_RATIO}",
                   passed=ratio <= TARGET_RATIO, unit="ms (median)"),
        common.row("appeal workspace page, queries per page", measured=n_large, baseline=n_small,
                   ratio=n_large / n_small, target="same", passed=n_small == n_large, unit="queries"),
    ]
    details = {"sizes": shown, "timings_ms": {k: [round(v * 1000, 2) for v in vals] for k, vals in timings.items()},
               "queries_large": queries["large"], "slowest_queries_large": slowest, "urls": pages}
    return common.emit(args, NAME, rows, details)


if __name__ == "__main__":
    sys.exit(main())
