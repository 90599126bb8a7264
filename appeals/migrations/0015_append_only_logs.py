"""The database refuses UPDATE and DELETE on the transition log and the audit verdicts (accounts/immutable.py)."""

from django.db import migrations

from accounts.immutable import APPEAL_EVENTS, AUDIT_VERDICTS


class Migration(migrations.Migration):
    dependencies = [("appeals", "0014_evidence_attempts")]
    operations = [APPEAL_EVENTS.operation(), AUDIT_VERDICTS.operation()]
