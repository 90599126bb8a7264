"""The date check: the order was placed before the return was picked up, and the return before
the refund. Each screenshot lends the date that means what is checked (the order's 下单时间, the
courier's pickup, the receipt's 退款时间 — not its 申请时间, which often comes before the pickup).
A date printed without its year takes the one year that puts it near the record's order and refund
dates; when no year or more than one does, the check is "?" with that reason, never "✗"."""

from datetime import datetime, timedelta

from django.utils import timezone

from ..models import Evidence
from .check import CONTRADICTS, MATCH, NOT_FOUND, Check, facts_of
from .facts import MonthDay
from .facts.dates import ORDERED, PICKUP, REFUNDED, REQUESTED

EXPECTED = "order ≤ return ≤ refund"
# A screenshot's dates lie around the record's: an order page may be taken a while after the order,
# a pickup comes before the refund. Anything within this margin of [ordered, refunded] is near.
NEAR = timedelta(days=45)
_PICK = {  # kind: (the role wanted, pick among several, the reason when none, roles never used)
    Evidence.Kind.ORDER: (ORDERED, min, "no_order_date", ()),
    Evidence.Kind.LOGISTICS: (PICKUP, min, "no_pickup_date", ()),
    Evidence.Kind.REFUND_RECEIPT: (REFUNDED, max, "no_refund_date", (REQUESTED,)),
}


def year_for(value: MonthDay, ordered: datetime, refunded: datetime) -> datetime | None:
    """The one reading of a year-less date near [ordered, refunded]; None if none or several are."""
    start, end = ordered - NEAR, refunded + NEAR
    readings = {moment for year in range(start.year, end.year + 1)
                if (moment := value.in_year(year)) is not None and start <= moment <= end}
    return readings.pop() if len(readings) == 1 else None


def _pick(items: list[Evidence], kind: str, ordered: datetime, refunded: datetime):
    """(evidence, fact, moment) of the date this kind of screenshot lends, or a "?" Check."""
    role, choose, missing, never = _PICK[kind]
    found, unclear = [], None
    for item, fact in facts_of(items, "datetime"):
        if fact.role in never:
            continue
        moment = fact.value if isinstance(fact.value, datetime) else year_for(fact.value, ordered, refunded)
        if moment is None:
            unclear = unclear or Check("date_order", NOT_FOUND, EXPECTED, fact.text, item.pk, fact.line,
                                       "year_unclear")
            if fact.role == role:
                return unclear
            continue
        found.append((fact.role == role, item, fact, moment))
    labelled = [entry for entry in found if entry[0]]
    if labelled or found:
        return choose(labelled or found, key=lambda entry: entry[3])[1:]
    return unclear or Check("date_order", NOT_FOUND, EXPECTED, reason=missing)


def _naive(moment: datetime) -> datetime:
    """A stored (aware) time as the facts read it from a screen: naive local time."""
    return timezone.localtime(moment).replace(tzinfo=None)


def date_order(by_kind: dict, ordered_at: datetime, refunded_at: datetime, pickup_at: datetime | None = None) -> Check:
    """`pickup_at`: the carrier's own record of the pickup, when the platform holds it (then no
    logistics screenshot is needed for this check)."""
    ordered, refunded = _naive(ordered_at), _naive(refunded_at)
    picked = []
    for kind in (Evidence.Kind.ORDER, Evidence.Kind.LOGISTICS, Evidence.Kind.REFUND_RECEIPT):
        if kind == Evidence.Kind.LOGISTICS and pickup_at is not None:
            picked.append((None, None, _naive(pickup_at)))
            continue
        choice = _pick(by_kind.get(kind, []), kind, ordered, refunded)
        if isinstance(choice, Check):
            return choice
        picked.append(choice)
    (_o, _of, order_day), (l_item, l_fact, return_day), (r_item, r_fact, refund_day) = picked
    read = f"{order_day:%Y-%m-%d} / {return_day:%Y-%m-%d} / {refund_day:%Y-%m-%d}"
    if order_day.date() > return_day.date():  # point at the date that comes too early
        return Check("date_order", CONTRADICTS, EXPECTED, read, l_item and l_item.pk, l_fact and l_fact.line)
    if return_day.date() > refund_day.date():
        return Check("date_order", CONTRADICTS, EXPECTED, read, r_item.pk, r_fact.line)
    return Check("date_order", MATCH, EXPECTED, read, r_item.pk, r_fact.line)
