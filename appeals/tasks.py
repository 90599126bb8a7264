"""Celery tasks: take ids, call one service, safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.core.mail import send_mail
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def process_evidence(evidence_id: int) -> str | None:
    from .services import evidence_process

    return evidence_process(evidence_id=evidence_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> bool:
    return send_notification_emails([notification_id]) == 1


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail notifications not yet e-mailed to users who have an address; returns how many were sent."""
    from .models import Notification

    sent = 0
    for notification_id in sorted(notification_ids):
        # One row at a time, claimed with SKIP LOCKED and marked in the same transaction: a duplicate
        # run (the sweeper below, a redelivered task) skips it, and a failed send leaves it unsent.
        with transaction.atomic():
            notification = (Notification.objects.select_for_update(skip_locked=True, of=("self",))
                            .select_related("user").filter(pk=notification_id, emailed_at__isnull=True)
                            .exclude(user__email="").first())
            if notification is None:
                continue
            send_mail(_("Monthly pay appeal update"), notification.message, None, [notification.user.email])
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
        sent += 1
    return sent


@shared_task(acks_late=True, autoretry_for=(OSError, *TRANSIENT), retry_backoff=True, max_retries=5)
def email_unsent_notifications(older_than_minutes: int = 10, within_hours: int = 24, limit: int = 500) -> int:
    """Beat job: e-mail notifications whose e-mail never went out (the broker was down when they
    were made, or every retry failed). Only those of the last day: later, the in-app message is enough."""
    from .models import Notification

    now = timezone.now()
    unsent = list(Notification.objects.filter(
        emailed_at__isnull=True, created_at__lt=now - timedelta(minutes=older_than_minutes),
        created_at__gte=now - timedelta(hours=within_hours)).exclude(user__email="")
        .order_by("pk").values_list("pk", flat=True)[:limit])
    return send_notification_emails(unsent)


def _drain(batch, *, batch_size: int, max_batches: int) -> int:
    """Run a batch service until it finds nothing more (or max_batches); each batch is its own
    transaction, so a crash loses at most the batch in flight and the next run picks it up."""
    done = 0
    for _round in range(max_batches):
        count = batch(batch_size=batch_size)
        done += count
        if not count:
            break
    return done


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def release_due_freezes(batch_size: int = 500, max_batches: int = 1000) -> int:
    """Beat job (every few minutes): release every freeze whose date has come, batch by batch."""
    from .services.timers import auto_release_due

    return auto_release_due(batch_size=batch_size, max_batches=max_batches)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def escalate_overdue_appeals(batch_size: int = 200, max_batches: int = 100) -> int:
    """Beat job: escalate appeals past their due time to supervisors."""
    from .services.timers import escalate_overdue_batch

    return _drain(escalate_overdue_batch, batch_size=batch_size, max_batches=max_batches)


@shared_task(acks_late=True)
def sample_yesterdays_decisions() -> int:
    """Daily beat job: pick yesterday's decisions for the supervisors' audit (idempotent)."""
    from .services import audit_sample_day

    return audit_sample_day(day=timezone.localdate() - timedelta(days=1))


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def purge_old_evidence(batch_size: int = 200, max_batches: int = 100) -> int:
    """Daily beat job: delete evidence files past the retention period."""
    from .services import evidence_purge_batch

    return _drain(evidence_purge_batch, batch_size=batch_size, max_batches=max_batches)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def requeue_stale_evidence(older_than_minutes: int = 5, limit: int = 500) -> int:
    """Beat job: enqueue again evidence still pending after a while (the broker was down when it was
    uploaded, or a worker died holding it). Processing is idempotent, so a duplicate is harmless."""
    from .models import Evidence

    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    stale = list(Evidence.objects.filter(status=Evidence.Status.PENDING, created_at__lt=cutoff)
                 .order_by("pk").values_list("pk", flat=True)[:limit])
    for evidence_id in stale:
        process_evidence.delay(evidence_id)
    return len(stale)
