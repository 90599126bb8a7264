"""Agents and supervisors see appeals, evidence, the event log and notifications; changes go through services."""

from django.db import migrations

from accounts.role_setup import grant_role_permissions

STAFF_VIEW = ["view_appeal", "view_evidence", "view_appealevent", "view_notification"]


def grant(apps, schema_editor):
    grant_role_permissions(apps, "appeals", {"agent": STAFF_VIEW, "supervisor": STAFF_VIEW})


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial"), ("accounts", "0003_role_groups")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
