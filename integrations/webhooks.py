"""Webhook delivery from the outbox: publish new events and fan them out to the endpoints that want
them, then deliver each account's events in order, signed per Standard Webhooks, at least once.

A delivery is claimed with SELECT … FOR UPDATE SKIP LOCKED and held locked while its request is in
flight, so workers split the work; a worker that dies mid-request leaves the row pending (its
transaction rolls back) and the next run sends it again. Only the oldest pending delivery of each
(endpoint, account) is claimable, so an account's events arrive in the order they were published
(a failed one stops blocking once it is marked failed). Failures retry with exponential backoff
for WEBHOOK_RETRY_FOR_HOURS, then the delivery is marked failed (the admin can redeliver it)."""

import json
import logging
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from events import outbox
from events.models import Event

from .envelopes import envelopes
from .models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)
Status = WebhookDelivery.Status
_LOCK_SPACE = 0x0A0D  # advisory-lock namespace of the webhook runners


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    excerpt: str
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def fan_out(events: list[Event]) -> None:
    """A pending delivery of each event for every active endpoint that wants its type."""
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
    WebhookDelivery.objects.bulk_create([
        WebhookDelivery(endpoint=endpoint, event=event, position=event.position, account_id=event.account_id)
        for event in events for endpoint in endpoints if endpoint.wants(event.type)
    ], batch_size=500, ignore_conflicts=True)


def publish_all(batch_size: int = 500) -> int:
    """Publish every committed event not yet published (fanned out in the same transaction)."""
    published = 0
    while len(batch := outbox.publish(batch_size=batch_size, then=fan_out)) == batch_size:
        published += len(batch)
    return published + len(batch)


def sign(secret: str, event_id: str, body: str, at: datetime) -> dict[str, str]:
    return {"webhook-id": event_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign(event_id, at, body)}


def send(endpoint: WebhookEndpoint, envelope: dict) -> Outcome:
    """POST one signed event; never raises (a failure is an Outcome without a 2xx status)."""
    body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
    headers = {"content-type": "application/json", "user-agent": "AppealDesk-Webhooks/1",
               **sign(endpoint.secret, envelope["id"], body, datetime.now(UTC))}
    request = urllib.request.Request(endpoint.url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            status, excerpt = response.status, response.read(500)
    except urllib.error.HTTPError as exc:
        status, excerpt = exc.code, exc.read(500)
    except (OSError, ValueError) as exc:  # refused, timed out, reset, bad URL
        return Outcome(None, _ms(started), "", f"{type(exc).__name__}: {exc}"[:300])
    return Outcome(status, _ms(started), excerpt.decode("utf-8", errors="replace"))


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2 × base, 4 × base … capped."""
    seconds = min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1), settings.WEBHOOK_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds)


def _settle(delivery: WebhookDelivery, outcome: Outcome, now: datetime) -> None:
    delivery.attempts += 1
    delivery.first_attempt_at = delivery.first_attempt_at or now
    delivery.last_status_code = outcome.status_code
    if outcome.ok:
        delivery.status, delivery.delivered_at = Status.DELIVERED, now
    elif now - delivery.first_attempt_at >= timedelta(hours=settings.WEBHOOK_RETRY_FOR_HOURS):
        delivery.status = Status.FAILED
        log.warning("webhook delivery %s failed for good after %d attempts", delivery.pk, delivery.attempts)
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)


def _claim_heads(batch_size: int, now: datetime) -> list[WebhookDelivery]:
    if connection.vendor == "sqlite":  # no row locks: take the database's write lock before reading the heads
        WebhookDelivery.objects.filter(pk=-1).update(attempts=0)
    earlier = WebhookDelivery.objects.filter(endpoint_id=OuterRef("endpoint_id"), account_id=OuterRef("account_id"),
                                             status=Status.PENDING, position__lt=OuterRef("position"))
    return list(WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("endpoint", "event")
                .filter(status=Status.PENDING, next_attempt_at__lte=now).filter(~Exists(earlier))
                .order_by("position")[:batch_size])


def deliver_batch(*, batch_size: int | None = None) -> int:
    """Claim the next due heads, send them (concurrently), log each attempt; returns how many were tried."""
    with transaction.atomic():
        now = timezone.now()
        heads = _claim_heads(batch_size or settings.WEBHOOK_BATCH_SIZE, now)
        if not heads:
            return 0
        bodies = envelopes([delivery.event for delivery in heads])
        with ThreadPoolExecutor(max_workers=min(8, len(heads))) as pool:
            outcomes = list(pool.map(send, [delivery.endpoint for delivery in heads], bodies))
        done = timezone.now()
        for delivery, outcome in zip(heads, outcomes, strict=True):
            _settle(delivery, outcome, done)
        WebhookDelivery.objects.bulk_update(heads, ["status", "attempts", "next_attempt_at", "first_attempt_at",
                                                    "delivered_at", "last_status_code"])
        DeliveryAttempt.objects.bulk_create([
            DeliveryAttempt(delivery=delivery, attempted_at=done, status_code=outcome.status_code,
                            latency_ms=outcome.latency_ms, response_excerpt=outcome.excerpt[:500],
                            error=outcome.error) for delivery, outcome in zip(heads, outcomes, strict=True)])
    log.info("webhooks: %d sent, %d delivered", len(heads), sum(outcome.ok for outcome in outcomes))
    return len(heads)


@contextmanager
def runner_slot():
    """One of WEBHOOK_RUNNERS slots (PostgreSQL advisory locks), or None when all are taken: a commit
    starts a run, and at 50 commits a second most runs would find nothing left to do. SQLite: one
    process writes at a time anyway, every run goes ahead."""
    if connection.vendor != "postgresql":
        yield 0
        return
    with connection.cursor() as cursor:
        for slot in range(settings.WEBHOOK_RUNNERS):
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_SPACE, slot])
            if cursor.fetchone()[0]:
                try:
                    yield slot
                finally:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_SPACE, slot])
                return
    yield None


def deliver_due(*, max_seconds: float = 60.0) -> int:
    """Publish what is new and deliver what is due, round after round until a round finds nothing
    (or max_seconds). A run that finds every runner slot taken leaves the work to those runs; so a
    run that ends looks once more after giving its slot up: an event committed while it finished
    (whose own run found the slots taken) does not wait for the next poll."""
    tried, deadline = 0, time.monotonic() + max_seconds
    for _turn in range(2):
        with runner_slot() as slot:
            if slot is None:
                return tried
            while time.monotonic() < deadline:
                count = publish_all() + deliver_batch()
                tried += count
                if not count:
                    break
        if not Event.objects.filter(position__isnull=True).exists():
            break
    return tried


def redeliver(deliveries) -> int:
    """Send again from now on (the admin's action), with a fresh retry window."""
    return deliveries.update(status=Status.PENDING, next_attempt_at=timezone.now(), first_attempt_at=None)
