"""Compare limit ≥ used + frozen in whole fen.

SQLite stores DECIMAL columns as floating point, so the old CHECK refused accounts filled
exactly to their limit whenever the float sum rounded up (0.07 + 0.05 > 0.12). Rounding each
bucket to whole fen makes the check exact on SQLite; on PostgreSQL (exact numeric) it means
the same as before."""

import django.db.models.expressions
import django.db.models.functions.math
import django.db.models.lookups
from django.db import migrations, models


def _fen(field):
    return django.db.models.functions.math.Round(
        django.db.models.expressions.CombinedExpression(models.F(field), "*", models.Value(100))
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_role_groups")]

    operations = [
        migrations.RemoveConstraint(model_name="creditaccount", name="credit_used_frozen_within_limit"),
        migrations.AddConstraint(
            model_name="creditaccount",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.GreaterThanOrEqual(
                    _fen("limit"),
                    django.db.models.expressions.CombinedExpression(_fen("used"), "+", _fen("frozen")),
                ),
                name="credit_used_frozen_within_limit",
            ),
        ),
    ]
