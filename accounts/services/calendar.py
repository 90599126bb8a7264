"""The official calendar changes after dates were promised: a CalendarException saved or removed
later re-derives the restore date of every active freeze still to come. Nothing moves money.

Rows are updated only if still active with the date read (a conditional UPDATE), so a release or a
platform sync that commits meanwhile wins and is not overwritten; no lock on the accounts is taken."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from ..freeze_dates import expected_release_on
from ..models import CalendarException, Freeze


@dataclass(frozen=True)
class MovedDate:
    freeze: Freeze
    old: date
    new: date


def freeze_dates_recompute(*, today: date | None = None) -> list[MovedDate]:
    """Re-derive the promised date of every active freeze whose date is still to come; returns those
    that moved. A date that would now lie in the past becomes today (the next timer run lifts it)."""
    today = today or timezone.localdate()
    derived: dict[tuple[str, date], date | None] = {}
    moved = []
    freezes = (Freeze.objects.filter(status=Freeze.Status.ACTIVE, expected_release_on__gte=today)
               .select_related("account").order_by("pk"))
    for freeze in freezes.iterator(chunk_size=500):
        key = (freeze.reason, timezone.localdate(freeze.created_at))
        if key not in derived:
            derived[key] = expected_release_on(reason=key[0], frozen_on=key[1])
        new = derived[key] and max(derived[key], today)
        if new is None or new == freeze.expected_release_on:
            continue
        if Freeze.objects.filter(pk=freeze.pk, status=Freeze.Status.ACTIVE,
                                 expected_release_on=freeze.expected_release_on).update(expected_release_on=new):
            moved.append(MovedDate(freeze, freeze.expected_release_on, new))
            freeze.expected_release_on = new
    return moved


@transaction.atomic
def calendar_exception_save(*, exception: CalendarException) -> list[MovedDate]:
    """Save an official day off or make-up workday and move the freeze dates it changes."""
    exception.full_clean()
    exception.save()
    return freeze_dates_recompute()


@transaction.atomic
def calendar_exception_delete(*, exception: CalendarException) -> list[MovedDate]:
    exception.delete()
    return freeze_dates_recompute()
