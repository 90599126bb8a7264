from django.db import migrations, models
from django.db.models import F


def assessed_when_filed(apps, schema_editor):
    # Appeals filed before this migration had their risk assessed in the request that filed them.
    apps.get_model("appeals", "Appeal").objects.update(risk_assessed_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0026_review_events_append_only'),
    ]

    operations = [
        migrations.AddField(
            model_name='appeal',
            name='risk_assessed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='risk assessed at'),
        ),
        migrations.RunPython(assessed_when_filed, migrations.RunPython.noop),
    ]
