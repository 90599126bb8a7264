"""A real Celery worker on the configured broker (Redis in CI) takes the tasks the app enqueues."""

from datetime import timedelta
from decimal import Decimal

import pytest
from celery.worker import state as worker_state
from django.utils import timezone

from accounts.models import Freeze, LedgerEntry
from accounts.selectors import ledger_mismatches
from appeals import tasks
from appeals.models import Evidence
from appeals.tests.factories import file_appeal, refund_freeze
from conftest import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_uploaded_evidence_is_processed_by_the_worker(celery_worker):
    appeal = file_appeal()  # commits: the processing tasks go to the broker on commit
    assert set(appeal.evidence.values_list("status", flat=True)) == {Evidence.Status.PENDING}
    wait_until(lambda: not appeal.evidence.filter(status=Evidence.Status.PENDING).exists())
    ready = appeal.evidence.filter(status=Evidence.Status.READY)
    assert ready.count() == 3
    assert all(item.image and item.thumbnail and len(item.phash) == 64 for item in ready)


def test_due_freeze_is_released_once_by_the_beat_task_on_the_worker(celery_worker):
    freeze = refund_freeze(Decimal("599.00"))
    Freeze.objects.filter(pk=freeze.pk).update(expected_release_on=timezone.localdate() - timedelta(days=1))
    name = tasks.release_due_freezes.name
    done_before = worker_state.total_count[name]
    tasks.release_due_freezes.delay()
    tasks.release_due_freezes.delay()  # a second run (say, a late duplicate) must change nothing
    wait_until(lambda: worker_state.total_count[name] - done_before >= 2)
    freeze.refresh_from_db()
    assert freeze.status == Freeze.Status.RELEASED and freeze.release_source == Freeze.ReleaseSource.TIMER
    assert LedgerEntry.objects.filter(freeze=freeze, kind=LedgerEntry.Kind.RELEASE).count() == 1
    assert ledger_mismatches() == []
