"""Celery tasks: take ids, call one service, safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def process_evidence(evidence_id: int) -> str | None:
    from .services import evidence_process

    return evidence_process(evidence_id=evidence_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> bool:
    from .models import Notification

    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at or not notification.user.email:
        return False
    send_mail(_("Monthly pay appeal update"), notification.message, None, [notification.user.email])
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
    return True


@shared_task(acks_late=True)
def sample_yesterdays_decisions() -> int:
    """Daily beat job: pick yesterday's decisions for the supervisors' audit (idempotent)."""
    from .services import audit_sample_day

    return audit_sample_day(day=timezone.localdate() - timedelta(days=1))
