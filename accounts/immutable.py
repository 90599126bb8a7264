"""Append-only tables: the database refuses UPDATE and DELETE on their rows, on SQLite and PostgreSQL
alike, like the ledger's trigger (migration accounts/0002). A table kept only for a retention period
may let DELETE through for rows older than `keep_days` (its purge job), never younger ones.

A migration that alters one of these tables later must install its triggers again: SQLite alters a
table by remaking it, which drops the triggers. Used by the migrations that install the triggers and
by the test suite's flush (conftest.py), which lifts the SQLite triggers around its wipe; PostgreSQL's
TRUNCATE skips row triggers."""

from dataclasses import dataclass


@dataclass(frozen=True)
class AppendOnly:
    table: str
    message: str
    keep_days: int | None = None  # rows older than this may be deleted (column created_at)

    def sqlite(self) -> tuple[list[str], list[str]]:
        refuse = f"BEGIN SELECT RAISE(ABORT, '{self.message}'); END;"
        when = f" WHEN OLD.created_at >= datetime('now', '-{self.keep_days} days')" if self.keep_days else ""
        return (
            [f"CREATE TRIGGER {self.table}_no_update BEFORE UPDATE ON {self.table} {refuse}",
             f"CREATE TRIGGER {self.table}_no_delete BEFORE DELETE ON {self.table}{when} {refuse}"],
            [f"DROP TRIGGER IF EXISTS {self.table}_no_update;", f"DROP TRIGGER IF EXISTS {self.table}_no_delete;"],
        )

    def postgresql(self) -> tuple[list[str], list[str]]:
        function = f"{self.table}_append_only"
        allow = (f"IF TG_OP = 'DELETE' AND OLD.created_at < now() - interval '{self.keep_days} days' "
                 "THEN RETURN OLD; END IF; ") if self.keep_days else ""
        return (
            [f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
             f"BEGIN {allow}RAISE EXCEPTION '{self.message}'; END; $$;",
             f"CREATE TRIGGER {self.table}_append_only BEFORE UPDATE OR DELETE ON {self.table} "
             f"FOR EACH ROW EXECUTE FUNCTION {function}();"],
            [f"DROP TRIGGER IF EXISTS {self.table}_append_only ON {self.table};",
             f"DROP FUNCTION IF EXISTS {function}();"],
        )

    def operation(self):
        """The migration operation that installs the triggers (and removes them when reversed)."""
        from django.db import migrations

        def run(index):
            def apply(apps, schema_editor):
                vendor = schema_editor.connection.vendor
                if vendor not in ("sqlite", "postgresql"):
                    raise NotImplementedError(f"no append-only trigger for {vendor}")
                for statement in getattr(self, vendor)()[index]:
                    schema_editor.execute(statement)

            return apply

        return migrations.RunPython(run(0), run(1))


APPEAL_EVENTS = AppendOnly("appeals_appealevent", "appeal events are append-only")
AUDIT_VERDICTS = AppendOnly("appeals_auditverdict", "audit verdicts are append-only")
# Kept at least 6 months (Cybersecurity Law Art. 21): younger rows cannot be deleted, even by the purge.
ACCESS_LOG_KEEP_DAYS = 183
EVIDENCE_ACCESS = AppendOnly("appeals_evidenceaccess", "the evidence access log is append-only",
                             keep_days=ACCESS_LOG_KEEP_DAYS)
REVIEW_EVENTS = AppendOnly("appeals_reviewevent", "review events are append-only")
# Every append-only table but the ledger's (its own migration, accounts/0002, predates this module).
TABLES = [APPEAL_EVENTS, AUDIT_VERDICTS, EVIDENCE_ACCESS, REVIEW_EVENTS]
