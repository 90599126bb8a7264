"""The database refuses UPDATE and DELETE on the transition log and the audit verdicts (accounts/immutable.py)."""

from django.db import migrations

from accounts.immutable import APPEAL_EVENTS, AUDIT_VERDICTS


class Migration(migrations.Migration):
    # After every change of these tables: to alter a table SQLite remakes it, dropping its triggers.
    dependencies = [('appeals', '0023_verdict_shortfall')]
    operations = [APPEAL_EVENTS.operation(), AUDIT_VERDICTS.operation()]
