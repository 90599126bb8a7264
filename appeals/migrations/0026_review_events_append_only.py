"""The database refuses UPDATE and DELETE on a review's timeline too (accounts/immutable.py)."""

from django.db import migrations

from accounts.immutable import REVIEW_EVENTS


class Migration(migrations.Migration):
    # After every change of the table: to alter a table SQLite remakes it, dropping its triggers.
    dependencies = [("appeals", "0025_evidence_access_log")]
    operations = [REVIEW_EVENTS.operation()]
