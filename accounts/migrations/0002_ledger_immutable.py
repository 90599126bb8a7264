"""The database itself refuses UPDATE and DELETE on ledger rows, on SQLite and PostgreSQL alike."""

from django.db import migrations

SQL = {
    "sqlite": (
        [
            "CREATE TRIGGER accounts_ledgerentry_no_update BEFORE UPDATE ON accounts_ledgerentry "
            "BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;",
            "CREATE TRIGGER accounts_ledgerentry_no_delete BEFORE DELETE ON accounts_ledgerentry "
            "BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;",
        ],
        [
            "DROP TRIGGER IF EXISTS accounts_ledgerentry_no_update;",
            "DROP TRIGGER IF EXISTS accounts_ledgerentry_no_delete;",
        ],
    ),
    "postgresql": (
        [
            "CREATE FUNCTION accounts_ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'ledger entries are immutable'; END; $$;",
            "CREATE TRIGGER accounts_ledgerentry_immutable BEFORE UPDATE OR DELETE ON accounts_ledgerentry "
            "FOR EACH ROW EXECUTE FUNCTION accounts_ledger_immutable();",
        ],
        [
            "DROP TRIGGER IF EXISTS accounts_ledgerentry_immutable ON accounts_ledgerentry;",
            "DROP FUNCTION IF EXISTS accounts_ledger_immutable();",
        ],
    ),
}


def _run(index):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in SQL:
            raise NotImplementedError(f"no ledger trigger for {vendor}")
        for statement in SQL[vendor][index]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(_run(0), _run(1))]
