import pytest
from django.db import connection


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    # Row-lock races need PostgreSQL's SELECT … FOR UPDATE; SQLite locks the whole file.
    if _on_postgres():
        return
    skip = pytest.mark.skip(reason="waits for PostgreSQL: set DATABASE_URL=postgres://… (CI's PostgreSQL leg runs it)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
