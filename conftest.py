import importlib
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.operations import DatabaseOperations

CHROMIUM = Path("/usr/bin/chromium")
_LEDGER_TRIGGERS = importlib.import_module("accounts.migrations.0002_ledger_immutable").SQL["sqlite"]


def pytest_collection_modifyitems(config, items):
    skips = {}
    if connection.vendor != "postgresql":
        # Row-lock races need PostgreSQL's SELECT … FOR UPDATE; SQLite locks the whole file.
        skips["postgres"] = "waits for PostgreSQL: set DATABASE_URL=postgres://… (CI's PostgreSQL leg runs it)"
    if not CHROMIUM.exists():
        skips["browser"] = "waits for Debian's chromium at /usr/bin/chromium (.ci/run installs it)"
    for item in items:
        for marker, reason in skips.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True, scope="session")
def _sqlite_flush_lifts_ledger_trigger():
    """Transactional tests end by wiping every table. PostgreSQL's TRUNCATE skips row triggers;
    SQLite's DELETE would hit the ledger's no-delete trigger, so lift it around the wipe only."""
    original = DatabaseOperations.sql_flush
    create, drop = _LEDGER_TRIGGERS

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        return [*drop, *statements, *create] if "accounts_ledgerentry" in tables else statements

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True, scope="session")
def _private_media_is_temporary():
    yield
    shutil.rmtree(settings.PRIVATE_MEDIA_ROOT, ignore_errors=True)
