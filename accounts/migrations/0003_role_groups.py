"""Create the customer, agent and supervisor groups with their model permissions."""

from django.db import migrations

from accounts.role_setup import grant_role_permissions

ROLE_PERMISSIONS = {
    "customer": [],
    "agent": [
        "view_creditaccount", "view_order", "view_refund", "view_freeze", "view_ledgerentry",
        "view_calendarexception", "view_accountstatuschange",
    ],
    "supervisor": [
        "view_creditaccount", "view_order", "view_refund", "view_freeze", "view_ledgerentry",
        "view_calendarexception", "view_accountstatuschange",
        "add_calendarexception", "change_calendarexception", "delete_calendarexception",
    ],
}


def create_groups(apps, schema_editor):
    grant_role_permissions(apps, "accounts", ROLE_PERMISSIONS)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_ledger_immutable"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, delete_groups)]
