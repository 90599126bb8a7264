from django.db import migrations


def forget_stored_days(apps, schema_editor):
    """The stored days counted the risk rules per filing day; they are counted per decision now.
    The rows are a cache of the raw tables: the next dashboard page stores them again."""
    apps.get_model("appeals", "DailySummary").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [("appeals", "0028_dashboard_daily_summary")]

    operations = [migrations.RunPython(forget_stored_days, migrations.RunPython.noop)]
