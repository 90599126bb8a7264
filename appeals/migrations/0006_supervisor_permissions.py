"""Only supervisors see escalations and the audit pages; agents do not."""

from django.db import migrations

from accounts.role_setup import grant_role_permissions


def grant(apps, schema_editor):
    grant_role_permissions(apps, "appeals", {
        "supervisor": ["view_escalation", "view_auditsample", "view_auditverdict"],
    })


class Migration(migrations.Migration):
    dependencies = [("appeals", "0005_appeal_claims_and_risk_rules")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
