"""A calendar exception saved (or removed) later moves the dates already promised: the restore
dates of active freezes (accounts.services.calendar) and the due times of open appeals; every
customer whose date moved is told. Appeals are updated by a conditional UPDATE as freezes are,
so a transition that commits meanwhile is not overwritten."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import CalendarException
from accounts.services import calendar

from ..models import OPEN_STATES, Appeal, Notification
from ..notifications import message, notify_many
from .clocks import sla_due_at


@dataclass(frozen=True)
class CalendarChange:
    freezes_moved: int
    appeals_moved: int


def _at(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def appeal_due_recompute() -> list[Notification]:
    """Re-derive the due time of every open appeal not yet past it; the notices for those that moved."""
    notices = []
    appeals = (Appeal.objects.filter(state__in=OPEN_STATES, due_at__gte=timezone.now())
               .select_related("freeze").order_by("pk"))
    for appeal in appeals.iterator(chunk_size=500):
        new = sla_due_at(appeal)
        if new == appeal.due_at:
            continue
        if Appeal.objects.filter(pk=appeal.pk, state__in=OPEN_STATES, due_at=appeal.due_at).update(due_at=new):
            notices.append(message(appeal.customer_id, "calendar_appeal_moved", appeal=appeal, due=_at(new),
                                   old=_at(appeal.due_at)))
    return notices


def _after(moved: list[calendar.MovedDate]) -> CalendarChange:
    notices = [message(item.freeze.account.customer_id, "calendar_freeze_moved", amount=str(item.freeze.amount),
                       new=str(item.new), old=str(item.old), frozen=str(timezone.localdate(item.freeze.created_at)))
               for item in moved]
    appeal_notices = appeal_due_recompute()
    notify_many(notices + appeal_notices)
    return CalendarChange(len(moved), len(appeal_notices))


@transaction.atomic
def calendar_exception_save(*, exception: CalendarException) -> CalendarChange:
    return _after(calendar.calendar_exception_save(exception=exception))


@transaction.atomic
def calendar_exception_delete(*, exception: CalendarException) -> CalendarChange:
    return _after(calendar.calendar_exception_delete(exception=exception))
