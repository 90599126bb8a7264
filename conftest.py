import importlib
import shutil
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseOperations  # via base: importing operations first is circular

from accounts import immutable

CHROMIUM = Path("/usr/bin/chromium")
_LEDGER_TRIGGERS = importlib.import_module("accounts.migrations.0002_ledger_immutable").SQL["sqlite"]
# table → (create, drop) of its SQLite triggers: the ledger's and every other append-only table's.
_APPEND_ONLY = {"accounts_ledgerentry": _LEDGER_TRIGGERS, **{t.table: t.sqlite() for t in immutable.TABLES}}


def pytest_collection_modifyitems(config, items):
    skips = {}
    if connection.vendor != "postgresql":
        # Row-lock races need PostgreSQL's SELECT … FOR UPDATE; SQLite locks the whole file.
        skips["postgres"] = "waits for PostgreSQL: set DATABASE_URL=postgres://… (CI's PostgreSQL leg runs it)"
    if not CHROMIUM.exists():
        skips["browser"] = "waits for Debian's chromium at /usr/bin/chromium (.ci/run installs it)"
    for item in items:
        # Transactional tests wipe the tables when they end; serialized rollback restores what the
        # migrations created (role groups and their permissions). It must be on for all of them:
        # a wipe without it re-creates content types, which the next restore would then duplicate.
        db = item.get_closest_marker("django_db")
        if db and db.kwargs.get("transaction") and not db.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(**db.kwargs, serialized_rollback=True), append=False)
        for marker, reason in skips.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True, scope="session")
def _sqlite_flush_lifts_ledger_trigger():
    """Transactional tests end by wiping every table. PostgreSQL's TRUNCATE skips row triggers;
    SQLite's DELETE would hit the append-only tables' no-delete triggers (the ledger's and those of
    accounts/immutable.py), so lift them around the wipe only."""
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        lifted = [_APPEND_ONLY[table] for table in tables if table in _APPEND_ONLY]
        drops = [statement for _create, drop in lifted for statement in drop]
        creates = [statement for create, _drop in lifted for statement in create]
        return [*drops, *statements, *creates]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True, scope="session")
def _test_run_files_are_temporary():
    yield
    shutil.rmtree(settings.TEST_RUN_DIR, ignore_errors=True)


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread) on the configured broker: Redis in CI, the filesystem
    transport locally. Tasks go through the broker instead of running eagerly."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


def wait_until(condition, *, timeout=30.0, interval=0.1):
    """Poll until condition() is truthy; fail with a clear message after timeout seconds."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def run_together(works, *, timeout=60.0):
    """Run each callable in its own thread, all released together by a barrier, each thread on its
    own database connection; return each one's result or the exception it raised."""
    barrier = threading.Barrier(len(works))
    results = [None] * len(works)

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = works[i]()
        except Exception as exc:  # collected here, asserted on by the test
            results[i] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results
