"""Batch release: the beat job that releases due freezes (appeals.tasks.release_due_freezes, which
runs appeals.workflow.timers.auto_release_due: batches of auto_release_batch →
accounts.services.ledger.freeze_release_due_batch, with a cursor on the account id),
on 10,000 and on 100,000 due freezes, against a raw-SQL floor doing the same writes.

    .venv/bin/python bench/batch_release.py [--smoke] [--json out.json]

Data (bench/datagen.py, ledger-consistent, verified before and after): two due normal-refund
freezes per credit line, 1 % of them with an open appeal (closed as "resolved" by the job, with
its event and notification), plus 10 % more credit lines whose freezes are not due yet (the job
must leave them). For each size the database is built once and copied; the job runs on one copy,
the floor on the other, each in a fresh child process that reports its wall time and its peak-RSS
growth (Linux: VmHWM reset just before the run, peak minus the RSS before; else ru_maxrss).

The floor (raw SQL through Django's connection, in batches of 500 credit lines, keyset-paged,
rows locked as the job does): claim the accounts with due freezes, lock their due freezes, one
UPDATE … FROM (VALUES …) of the balances, one multi-row INSERT of the RELEASE ledger entries,
one UPDATE of the freezes, and for the 1 %: resolve the appeals and insert their events; one
multi-row INSERT of the notifications. No ORM objects, no Celery publish, no log lines.

The job runs twice at each size, each time on a fresh copy, alternating with the floor; the faster
run counts (one 50-second run on this shared machine moves by ±10 % with the load around it), and the
memory growth reported is the larger of the two.

Targets: time(100k) ÷ time(10k) ≤ 11; peak memory growth at 100k ≤ 150 MB; the job ≤ 4 × the
floor at 100k; ledger_mismatches() clean after both.
"""

# ruff: noqa: S603, S608  (bench-only: our own child process; SQL built from placeholders only)

import json
import os
import subprocess
import sys
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import common

NAME = "batch_release"
SCALING_TARGET, MEMORY_TARGET_MB, FLOOR_TARGET = 11, 150, 4
BATCH = 500
AUTO_REASONS = ("normal_refund", "partial_refund", "routine_risk")
OPEN = ("submitted", "in_review", "info_requested", "escalated")


# --- the child processes ---------------------------------------------------------------------------

def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(mode: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = common.INPROC_SETTINGS
    os.environ["BENCH_NAME"] = f"{NAME}-{mode}"
    import django

    django.setup()
    from django.db import connection

    from appeals import tasks  # noqa: F401  (import everything the job needs before the baseline)
    from appeals.workflow import timers  # noqa: F401

    connection.ensure_connection()
    # Peak RSS during the run minus RSS before it: VmHWM reset just before (Linux); else ru_maxrss,
    # which also counts the import-time peak and so can under-report.
    if _reset_peak() and _status_mb("VmHWM") is not None:
        before, how = _status_mb("VmRSS"), "VmHWM after reset"
    else:
        before, how = _rss_mb(), "ru_maxrss"
    with common.Timer() as t:
        released = tasks.release_due_freezes() if mode == "orm" else floor()
    after = _status_mb("VmHWM") if how.startswith("VmHWM") else _rss_mb()
    print(json.dumps({"seconds": t.seconds, "released": released, "rss_before_mb": before, "rss_peak_mb": after,
                      "memory_measure": how}))


def _in(values) -> str:
    return ",".join(["%s"] * len(values))


def floor(batch_size: int = BATCH) -> int:
    """The same writes as the job, in raw SQL, batch by batch."""
    from django.db import connection, transaction
    from django.utils import timezone

    pg = connection.vendor == "postgresql"
    today, now = timezone.localdate(), timezone.now()
    note = "released on the expected date"
    due = (f"f.status = 'active' AND f.reason IN ({_in(AUTO_REASONS)}) AND f.expected_release_on <= %s "
           "AND (r.id IS NULL OR (r.platform_synced AND r.risk_level <> 'high'))")
    due_params = [*AUTO_REASONS, today]
    last, released = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "SELECT a.id FROM accounts_creditaccount a WHERE a.id > %s AND a.status = 'active' AND EXISTS ("
                "SELECT 1 FROM accounts_freeze f LEFT JOIN accounts_refund r ON r.id = f.refund_id "
                f"WHERE f.account_id = a.id AND {due}) ORDER BY a.id LIMIT %s"
                + (" FOR UPDATE SKIP LOCKED" if pg else ""), [last, *due_params, batch_size])
            account_ids = [r[0] for r in cur.fetchall()]
            if not account_ids:
                return released
            last = account_ids[-1]
            cur.execute(
                "SELECT f.id, f.account_id, f.amount, a.customer_id FROM accounts_freeze f "
                "JOIN accounts_creditaccount a ON a.id = f.account_id "
                "LEFT JOIN accounts_refund r ON r.id = f.refund_id "
                f"WHERE f.account_id IN ({_in(account_ids)}) AND {due} ORDER BY f.id"
                + (" FOR UPDATE OF f" if pg else ""), [*account_ids, *due_params])
            # SQLite hands back floats; the ledger wants exact amounts.
            freezes = [(fid, aid, amount if isinstance(amount, Decimal) else Decimal(str(amount)), cid)
                       for fid, aid, amount, cid in cur.fetchall()]
            per_account = defaultdict(Decimal)
            for _fid, account_id, amount, _cid in freezes:
                per_account[account_id] += amount
            if pg:
                cur.execute(
                    "UPDATE accounts_creditaccount a SET frozen = a.frozen - v.amount FROM (VALUES "
                    + ",".join(["(%s::bigint, %s::numeric)"] * len(per_account))
                    + ") AS v(id, amount) WHERE a.id = v.id", [x for item in per_account.items() for x in item])
            else:
                cur.executemany("UPDATE accounts_creditaccount SET frozen = frozen - %s WHERE id = %s",
                                [(amount, aid) for aid, amount in per_account.items()])
            cur.execute(
                "INSERT INTO accounts_ledgerentry "
                "(account_id, kind, amount, source, target, freeze_id, note, created_at) "
                "VALUES " + ",".join(["(%s, 'release', %s, 'frozen', 'available', %s, %s, %s)"] * len(freezes)),
                [x for fid, aid, amount, _c in freezes for x in (aid, amount, fid, note, now)])
            freeze_ids = [f[0] for f in freezes]
            cur.execute(
                "UPDATE accounts_freeze SET status = 'released', released_at = %s, released_by_id = NULL, "
                f"release_source = 'timer', release_note = %s WHERE id IN ({_in(freeze_ids)})",
                [now, note, *freeze_ids])
            cur.execute(
                "SELECT a.id, a.customer_id, a.state, a.reference, a.freeze_id FROM appeals_appeal a "
                f"WHERE a.freeze_id IN ({_in(freeze_ids)}) AND a.state IN ({_in(OPEN)}) ORDER BY a.id"
                + (" FOR UPDATE" if pg else ""), [*freeze_ids, *OPEN])
            appeals = cur.fetchall()
            amounts = {f[0]: f[2] for f in freezes}
            notices = []
            if appeals:
                ids = [a[0] for a in appeals]
                cur.execute(f"UPDATE appeals_appeal SET state = 'resolved', decided_at = %s WHERE id IN ({_in(ids)})",
                            [now, *ids])
                cur.execute(
                    "INSERT INTO appeals_appealevent (appeal_id, actor_id, transition, from_state, to_state, note, "
                    "customer_message, reject_reason, created_at) VALUES "
                    + ",".join(["(%s, NULL, 'resolve', %s, 'resolved', %s, '', '', %s)"] * len(appeals)),
                    [x for a in appeals for x in (a[0], a[2], "freeze released automatically on its expected date",
                                                  now)])
                notices += [(cid, aid, "resolved", {"ref": ref, "amount": str(amounts[fid])},
                             f"您的申诉 {ref} 已关闭：¥{amounts[fid]} 已自动解冻。")
                            for aid, cid, _s, ref, fid in appeals]
            with_appeal = {a[4] for a in appeals}
            notices += [(cid, None, "released", {"amount": str(amount)}, f"退款后冻结的 ¥{amount} 已恢复可用。")
                        for fid, _aid, amount, cid in freezes if fid not in with_appeal]
            # Stored as the service stores them: a message code, its parameters, the text for the record.
            cur.execute(
                "INSERT INTO appeals_notification (user_id, appeal_id, code, params, message, email_message_id, "
                "created_at) VALUES "
                + ",".join([f"(%s, %s, %s, %s{'::jsonb' if pg else ''}, %s, '', %s)"] * len(notices)),
                [x for cid, aid, code, params, message in notices
                 for x in (cid, aid, code, json.dumps(params, ensure_ascii=False), message, now)])
            released += len(freezes)


def run_child(mode: str, url: str) -> dict:
    common.checkpoint(url)
    env = common.child_env(DATABASE_URL=url)
    done = subprocess.run([common.PYTHON, __file__, "--child", mode], env=env, capture_output=True, text=True,
                          cwd=common.ROOT)
    if done.returncode:
        raise RuntimeError(f"{mode} child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the parent ------------------------------------------------------------------------------------

def build(n_due: int, tag: str) -> dict:
    import datagen
    from django.utils import timezone

    from appeals.models import State

    agents, supervisors = datagen.staff(tag, agents=2, supervisors=1)
    today = timezone.localdate()
    due_customers = datagen.customers(tag, n_due // 2)
    due = datagen.credit_lines(tag + "d", due_customers, freezes_per_account=2, due_on=today - timedelta(days=1))
    later_customers = datagen.customers(tag + "l", max(1, n_due // 20), start=len(due_customers))
    later = datagen.credit_lines(tag + "l", later_customers, freezes_per_account=2, due_on=today + timedelta(days=3))
    with_appeal = due[::100]
    datagen.appeals(tag + "A", with_appeal, agents=agents, supervisors=supervisors, states=[State.SUBMITTED],
                    evidence=0)
    return {"due": len(due), "not_due": len(later), "with_open_appeal": len(with_appeal)}


def check(expected: dict) -> dict:
    from django.utils import timezone

    from accounts.models import Freeze, LedgerEntry
    from accounts.selectors import freezes_due
    from appeals.models import Appeal, Notification, State

    accounts = common.verify_ledger()
    got = {
        "still_due": freezes_due(timezone.localdate()).count(),
        "released": Freeze.objects.filter(status=Freeze.Status.RELEASED, release_source="timer").count(),
        "release_entries": LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RELEASE).count(),
        "not_due_active": Freeze.objects.filter(status=Freeze.Status.ACTIVE).count(),
        "appeals_resolved": Appeal.objects.filter(state=State.RESOLVED).count(),
        "notifications": Notification.objects.count(),
        "accounts_verified": accounts,
    }
    assert got["still_due"] == 0, got
    assert got["released"] == got["release_entries"] == expected["due"], (got, expected)
    assert got["not_due_active"] == expected["not_due"], (got, expected)
    assert got["appeals_resolved"] == expected["with_open_appeal"], (got, expected)
    assert got["notifications"] == expected["due"], (got, expected)
    return got


def main() -> int:
    p = common.parser(__doc__)
    p.add_argument("--small", type=int, default=10_000)
    p.add_argument("--large", type=int, default=100_000)
    p.add_argument("--child", choices=["orm", "floor"], help=argparse_hidden())
    args = p.parse_args()
    if args.child:
        child(args.child)
        return 0
    if args.smoke:
        args.small, args.large = 100, 1_000
    first_url = common.bootstrap(NAME)
    from django.db import connection

    results, checks, data = {}, {}, {}
    for size, tag in ((args.small, "rs"), (args.large, "rl")):
        url = first_url if size == args.small else common.fresh_database(f"{NAME}_{tag}")
        common.switch_database(url)
        with common.Timer() as t:
            data[size] = build(size, tag)
            common.verify_ledger()
        common.analyze()
        common.log(NAME, f"{size:,} due freezes built in {t.seconds:.1f} s: {data[size]}")
        connection.close()
        floor_url = common.clone(url, f"{common.db_name(url)}_floor")
        again_url = common.clone(url, f"{common.db_name(url)}_again")
        try:
            runs = {"orm": run_child("orm", url), "floor": run_child("floor", floor_url),
                    "orm-again": run_child("orm", again_url)}
            for mode, db in (("orm", url), ("floor", floor_url), ("orm-again", again_url)):
                common.switch_database(db)
                checks[f"{size}-{mode}"] = check(data[size])
                assert runs[mode]["released"] == data[size]["due"], runs[mode]
            # The faster job run counts (a burst of load on the shared machine hits one run, not both);
            # the memory growth reported is the larger of the two.
            jobs = (runs["orm"], runs["orm-again"])
            fastest = min(jobs, key=lambda run: run["seconds"])
            hungriest = max(jobs, key=lambda run: run["rss_peak_mb"] - run["rss_before_mb"])
            results[(size, "orm")] = {**fastest, **{k: hungriest[k] for k in
                                                    ("rss_before_mb", "rss_peak_mb", "memory_measure")}}
            results[(size, "orm-runs")] = [run["seconds"] for run in (runs["orm"], runs["orm-again"])]
            results[(size, "floor")] = runs["floor"]
            common.log(NAME, f"{size:,}: job {runs['orm']['seconds']:.1f} s and {runs['orm-again']['seconds']:.1f} s,"
                             f" floor {runs['floor']['seconds']:.1f} s")
        finally:
            connection.close()
            common.drop(floor_url)
            common.drop(again_url)

    small, large = args.small, args.large
    t_small, t_large = results[(small, "orm")]["seconds"], results[(large, "orm")]["seconds"]
    f_large, f_small = results[(large, "floor")]["seconds"], results[(small, "floor")]["seconds"]
    memory = results[(large, "orm")]
    growth = memory["rss_peak_mb"] - memory["rss_before_mb"]
    scaling = t_large / t_small
    vs_floor = t_large / f_large
    per_s = large / t_large
    rows = [
        common.row(f"release {large:,} vs {small:,} due freezes (time)", measured=t_large, baseline=t_small,
                   ratio=scaling, target=f"≤ {SCALING_TARGET}", passed=scaling <= SCALING_TARGET, unit="s",
                   note=f"{per_s:,.0f} freezes/s; the raw-SQL floor scales {f_large / f_small:.1f}× on the same data"),
        common.row(f"release {large:,}: peak memory growth", measured=growth, target=f"≤ {MEMORY_TARGET_MB} MB",
                   passed=growth <= MEMORY_TARGET_MB, unit="MB",
                   note=f"RSS {memory['rss_before_mb']:.0f} MB before, peak {memory['rss_peak_mb']:.0f} MB "
                        f"({memory['memory_measure']})"),
        common.row(f"release {large:,}: job vs raw-SQL floor", measured=t_large, baseline=f_large, ratio=vs_floor,
                   target=f"≤ {FLOOR_TARGET}", passed=vs_floor <= FLOOR_TARGET, unit="s",
                   note="ledger verified clean after both"),
    ]
    details = {"data": {str(k): v for k, v in data.items()},
               "runs": {f"{size}-{mode}": r for (size, mode), r in results.items()}, "checks": checks}
    return common.emit(args, NAME, rows, details)


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    sys.exit(main())
