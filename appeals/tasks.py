"""Celery tasks, the worker's entry points: each takes ids, calls one service, and is safe to run
twice. Services are imported inside the task (the usual Celery pattern), so that the modules that
enqueue tasks can import this one."""

from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def process_evidence(evidence_id: int) -> str | None:
    from .evidence.pipeline import evidence_process

    return evidence_process(evidence_id=evidence_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def review_evidence(appeal_id: int):
    """An appeal filed without screenshots: its risk is assessed here, as the last screenshot's would be."""
    from .workflow.decide import appeal_review_evidence

    appeal_review_evidence(appeal_id=appeal_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> bool:
    from .notifications import notifications_email

    return notifications_email(notification_ids=[notification_id]) == 1


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails(notification_ids: list[int]) -> int:
    from .notifications import notifications_email

    return notifications_email(notification_ids=notification_ids)


@shared_task(acks_late=True, autoretry_for=(OSError, *TRANSIENT), retry_backoff=True, max_retries=5)
def email_unsent_notifications(older_than_minutes: int = 10, within_hours: int = 24, limit: int = 500) -> int:
    """Beat job: e-mail notifications whose e-mail never went out."""
    from .notifications import notifications_email_unsent

    return notifications_email_unsent(older_than_minutes=older_than_minutes, within_hours=within_hours, limit=limit)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def release_due_freezes(batch_size: int = 500, max_batches: int = 1000) -> int:
    """Beat job (every few minutes): release every freeze whose date has come, batch by batch."""
    from .workflow.timers import auto_release_due

    return auto_release_due(batch_size=batch_size, max_batches=max_batches)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def escalate_overdue_appeals(batch_size: int = 200, max_batches: int = 100) -> int:
    """Beat job: escalate appeals past their due time to supervisors."""
    from .workflow.timers import escalate_overdue

    return escalate_overdue(batch_size=batch_size, max_batches=max_batches)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def escalate_regulatory_breaches(batch_size: int = 200, max_batches: int = 100) -> int:
    """Beat job: escalate appeals past the complaint rules' answer deadline (once each)."""
    from .workflow.timers import escalate_regulatory

    return escalate_regulatory(batch_size=batch_size, max_batches=max_batches)


@shared_task(acks_late=True)
def sample_yesterdays_decisions() -> int:
    """Daily beat job: pick yesterday's decisions for the supervisors' audit (idempotent)."""
    from .workflow.audit import audit_sample_day

    return audit_sample_day(day=timezone.localdate() - timedelta(days=1))


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def purge_old_evidence(batch_size: int = 200, max_batches: int = 100) -> int:
    """Daily beat job: delete evidence files past the retention period."""
    from .evidence.pipeline import evidence_purge

    return evidence_purge(batch_size=batch_size, max_batches=max_batches)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def purge_staged_uploads() -> int:
    """Hourly beat job: files kept for a form that was never sent, after a day."""
    from .evidence.staging import purge_stale

    return purge_stale()


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def requeue_stale_evidence(older_than_minutes: int = 5, limit: int = 500) -> int:
    """Beat job: enqueue again evidence still pending after a while."""
    from .evidence.pipeline import evidence_requeue_stale

    return evidence_requeue_stale(older_than_minutes=older_than_minutes, limit=limit)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def purge_old_access_log() -> int:
    """Daily beat job: delete evidence access log rows past their retention (at least 6 months)."""
    from .access_log import access_log_purge

    return access_log_purge()


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def fill_dashboard_days() -> int:
    """Daily beat job, after midnight: store yesterday's dashboard numbers, and any other past day's
    that no page has stored (appeals.desk.daily; idempotent)."""
    from .desk.daily import fill_past_days

    return fill_past_days(today=timezone.localdate())
