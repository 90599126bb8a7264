"""Create the customer, agent and supervisor groups with their model permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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
    # Permissions are normally made after all migrations; make this app's now
    # (the historical app config lacks models_module, which create_permissions checks).
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames)
        )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_ledger_immutable"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, delete_groups)]
