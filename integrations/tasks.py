"""Celery entry points of the integrations: webhook delivery (started after each commit that
recorded events, and by beat for retries), the bills' due-date job, the idempotency records' purge."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerUnavailable

TRANSIENT = (OperationalError, InterfaceError)
log = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def deliver_webhooks() -> int:
    """Publish new events and deliver every due webhook (safe to run any number of times at once)."""
    from .webhooks import deliver_due

    return deliver_due()


def deliver_webhooks_soon() -> None:
    """After a commit that recorded events. With the broker down the beat poller delivers them later."""
    try:
        deliver_webhooks.delay()
    except BrokerUnavailable as exc:
        log.error("broker unavailable: webhook delivery left to the poller (%s)", exc)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def mark_overdue_bills() -> int:
    """Daily beat job: unpaid bills past their day become overdue (and the streak rule runs)."""
    from accounts.services.bills import bills_mark_overdue_due

    return bills_mark_overdue_due()


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def purge_idempotency_records() -> int:
    """Hourly beat job: forget stored responses older than IDEMPOTENCY_KEEP_HOURS."""
    from .idempotency import purge_old_records

    return purge_old_records()
