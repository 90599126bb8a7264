"""What every benchmark script shares: arguments, a fresh database per benchmark, Django setup,
timing helpers and the result rows that bench/run.py prints and saves.

Databases: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench) names a *template*
database that is created if missing and migrated once; each benchmark works on its own copy
(PostgreSQL: CREATE DATABASE … TEMPLATE …; SQLite: a copy of the file), dropped at exit, so
benchmarks never see each other's rows and the template stays empty. BENCH_KEEP_DB=1 keeps the copies.
"""

# ruff: noqa: S603, S608  (bench-only: manage.py in a child process; table names are ours)

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench"
INPROC_SETTINGS = "bench.settings_inproc"
PYTHON = sys.executable


# --- arguments and results ---------------------------------------------------------------------

def parser(doc: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=(doc or "").strip().split("\n\n")[0])
    p.add_argument("--smoke", action="store_true", help="tiny sizes: proves the benchmark runs; no targets")
    p.add_argument("--json", type=Path, help="write the result rows here (bench/run.py reads them)")
    return p


def row(benchmark: str, *, measured, baseline=None, ratio=None, target: str = "", passed=None, unit: str = "",
        note: str = "") -> dict:
    """One line of the results table. `passed` is None when there is no target to check."""
    return {"benchmark": benchmark, "measured": measured, "baseline": baseline, "ratio": ratio, "target": target,
            "pass": passed, "unit": unit, "note": note}


def emit(args, name: str, rows: list[dict], details: dict | None = None) -> int:
    """Print the rows, write them as JSON for the runner; exit status 1 if a target was missed."""
    if args.smoke:
        for r in rows:  # tiny sizes say nothing about the targets: keep the verdict, do not enforce it
            r["would_pass"], r["pass"] = r["pass"], None
    out = {"name": name, "smoke": bool(args.smoke), "rows": rows, "details": details or {}}
    for r in rows:
        verdict = {True: "pass", False: "FAIL", None: "-"}[r["pass"]]
        print(f"[{name}] {r['benchmark']}: measured {fmt(r['measured'])} {r['unit']} baseline {fmt(r['baseline'])}"
              f" ratio {fmt(r['ratio'])} target {r['target'] or '-'} → {verdict}"
              f"{'  (' + r['note'] + ')' if r['note'] else ''}", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False, default=str))
    return 1 if any(r["pass"] is False for r in rows) else 0


def fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def log(name: str, message: str) -> None:
    print(f"[{name}] {message}", file=sys.stderr, flush=True)


class Timer:
    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started


def median(values) -> float:
    return statistics.median(values)


def pin_one_core() -> int | None:
    """Run on one CPU (the last of the allowed ones)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


# --- databases ------------------------------------------------------------------------------------

def template_url() -> str:
    """BENCH_TEMPLATE_URL (set by run.py), else BENCH_DATABASE_URL, else DATABASE_URL if it is PostgreSQL
    (a developer's DATABASE_URL=sqlite:///db.sqlite3 is never used), else the default."""
    explicit = os.environ.get("BENCH_TEMPLATE_URL") or os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_DATABASE_URL


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def _sqlite_path(url: str) -> Path:
    # sqlite:////abs/path (django-environ): four slashes for an absolute path.
    return Path(url[len("sqlite:///"):])


def _pg_parts(url: str):
    parts = urlsplit(url)
    return parts, parts.path.lstrip("/")


def _pg_admin(url: str):
    import psycopg

    parts, _name = _pg_parts(url)
    return psycopg.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                           user=parts.username or "postgres", password=parts.password, dbname="postgres",
                           autocommit=True)


def with_name(url: str, name: str) -> str:
    if is_sqlite(url):
        path = _sqlite_path(url)
        return f"sqlite:///{path.with_name(name + '.sqlite3')}"
    parts, _old = _pg_parts(url)
    return urlunsplit(parts._replace(path="/" + name))


def db_name(url: str) -> str:
    return _sqlite_path(url).stem if is_sqlite(url) else _pg_parts(url)[1]


def ensure_template(url: str | None = None, *, quiet: bool = True) -> str:
    """Create the template database if missing and migrate it (idempotent)."""
    url = url or template_url()
    if is_sqlite(url):
        _sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    else:
        name = db_name(url)
        with _pg_admin(url) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": INPROC_SETTINGS, "BENCH_NAME": "migrate"}
    subprocess.run([PYTHON, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0" if quiet else "-v1"],
                   check=True, env=env, cwd=ROOT)
    accounts = _count(url, "accounts_creditaccount")
    if accounts:
        raise SystemExit(f"the template database {db_name(url)} holds {accounts} credit accounts: benchmarks need an "
                         "empty one (they copy it); point BENCH_DATABASE_URL at another database")
    return url


def _count(url: str, table: str) -> int:
    if is_sqlite(url):
        import sqlite3

        with sqlite3.connect(_sqlite_path(url)) as conn:
            return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    import psycopg

    parts, name = _pg_parts(url)
    with psycopg.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username or "postgres",
                         password=parts.password, dbname=name) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def clone(source_url: str, name: str) -> str:
    """A fresh copy of `source_url` named `name` (replacing any left over); no one may be connected to the source."""
    target = with_name(source_url, name)
    if is_sqlite(source_url):
        shutil.copyfile(_sqlite_path(source_url), _sqlite_path(target))
        return target
    with _pg_admin(source_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{db_name(source_url)}"')
    return target


def drop(url: str) -> None:
    if os.environ.get("BENCH_KEEP_DB"):
        return
    if is_sqlite(url):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(_sqlite_path(url)) + suffix).unlink(missing_ok=True)
        return
    try:
        with _pg_admin(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name(url)}" WITH (FORCE)')
    except Exception as exc:  # noqa: BLE001 - cleanup must not hide the result
        print(f"could not drop {db_name(url)}: {exc}", file=sys.stderr)


def fresh_database(name: str) -> str:
    """A new empty, migrated database for this benchmark, dropped when the process exits."""
    template = template_url()
    if not os.environ.get("BENCH_TEMPLATE_READY"):
        ensure_template(template)
    url = clone(template, f"{db_name(template)}_{name}")
    atexit.register(drop, url)
    return url


def bootstrap(name: str, *, database: bool = True, settings: str = INPROC_SETTINGS) -> str | None:
    """Point this process at a fresh database (unless database=False) and set Django up."""
    os.environ["BENCH_NAME"] = name
    os.environ.setdefault("BENCH_TEMPLATE_URL", template_url())
    url = None
    if database:
        url = fresh_database(name)
        os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    import django

    django.setup()
    return url


def switch_database(url: str) -> None:
    """Point Django's default connection at another database of the same server (or SQLite file)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = str(_sqlite_path(url)) if is_sqlite(url) else db_name(url)


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def analyze() -> None:
    """Fresh planner statistics, and on PostgreSQL the bulk-loaded rows vacuumed (hint bits and the
    visibility map set), as autovacuum would have left a live database: otherwise the first timed
    run pays for the build's leftovers."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def checkpoint(url: str) -> None:
    """PostgreSQL: flush the WAL written so far (the data build), so that a timed run does not
    inherit a checkpoint that a smaller run would not have met."""
    if is_sqlite(url):
        return
    with _pg_admin(url) as conn:
        conn.execute("CHECKPOINT")


def verify_ledger() -> int:
    """ledger_mismatches() must be empty; returns the number of accounts checked."""
    from accounts.models import CreditAccount
    from accounts.selectors import ledger_mismatches

    mismatches = ledger_mismatches()
    if mismatches:
        raise AssertionError(f"{len(mismatches)} ledger mismatches, e.g. {mismatches[:3]}")
    return CreditAccount.objects.count()


def client(shared_with=None, **kwargs):
    """A django test Client. Clients made with shared_with=other use other's request handler, as the
    threads of one server do: the middleware (WhiteNoise indexes the static files when it starts)
    loads once, not once per client, which no real server would pay per request."""
    from django.test import Client

    made = Client(**kwargs)
    if shared_with is not None:
        made.handler = shared_with.handler
    return made


def child_env(**extra) -> dict:
    env = {**os.environ, **{k: str(v) for k, v in extra.items()}}
    env.setdefault("PYTHONPATH", str(ROOT))
    return env
