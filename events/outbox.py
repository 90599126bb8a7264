"""Record events inside the caller's transaction; publish them after commit.

record() refuses to run outside a transaction: an event is written with its change or not at all
(a rolled-back change leaves no event). Listeners (the webhook delivery, in integrations) are told
once per committed transaction that new events exist, so they need not poll for them."""

import logging
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import F

from .models import Event, Publisher

log = logging.getLogger(__name__)
_listeners: list[Callable[[], None]] = []


def on_commit_of_events(listener: Callable[[], None]) -> None:
    """Call `listener` after every commit that recorded events (once per transaction)."""
    if listener not in _listeners:
        _listeners.append(listener)


def _tell_listeners() -> None:
    for listener in _listeners:
        listener()


def _announce() -> None:
    """Once per transaction: the callbacks already queued name _tell_listeners at most once."""
    if not any(func is _tell_listeners for _sids, func, _robust in connection.run_on_commit):
        transaction.on_commit(_tell_listeners, robust=True)


def _checked(type: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(f"event {type} recorded outside a transaction: it must commit with its change")


def record(type: str, *, account_id: int | None, data: dict) -> Event:
    """Write one event in the caller's transaction. `data` holds JSON values (amounts as strings)."""
    _checked(type)
    event = Event.objects.create(type=type, account_id=account_id, data=data)
    _announce()
    return event


def record_many(events: list[tuple[str, int | None, dict]]) -> list[Event]:
    """record() for many events at once (one INSERT): (type, account_id, data) each."""
    if not events:
        return []
    _checked(events[0][0])
    made = Event.objects.bulk_create([Event(type=t, account_id=a, data=d) for t, a, d in events], batch_size=500)
    _announce()
    return made


def _publisher_locked() -> Publisher:
    """The publisher row, locked: a second publisher waits a moment (each holds it for milliseconds)
    rather than skip, so that what committed meanwhile is published now, not at the next poll."""
    try:
        return Publisher.objects.select_for_update().get(pk=1)
    except Publisher.DoesNotExist:  # the migration creates it; a wiped test database may not have it
        Publisher.objects.get_or_create(pk=1)
        return Publisher.objects.select_for_update().get(pk=1)


def publish(*, batch_size: int = 500, then: Callable[[list[Event]], None] | None = None) -> list[Event]:
    """Give the next committed, unpublished events their positions (in id order, all after every
    position handed out before), and call `then` with them in the same transaction. Returns them."""
    with transaction.atomic():
        publisher = _publisher_locked()
        events = list(Event.objects.filter(position__isnull=True).order_by("id")[:batch_size])
        if not events:
            return []
        # Positions keep the ids' order and start after the last one: one UPDATE for the batch.
        offset = max(0, publisher.last_position - events[0].pk + 1)
        Event.objects.filter(pk__in=[event.pk for event in events]).update(position=F("id") + offset)
        for event in events:
            event.position = event.pk + offset
        publisher.last_position = events[-1].position
        publisher.save(update_fields=["last_position"])
        if then:
            then(events)
    log.info("outbox: published %d events up to position %d", len(events), events[-1].position)
    return events
