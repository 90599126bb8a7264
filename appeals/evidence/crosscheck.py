"""Compare what the screenshots say (OCR facts) with the record and the customer's claim.

Each check is ✓ match, ✗ contradicts (what was read vs what was expected) or ? not found,
and remembers which screenshot and which line of text it relied on, so the agent can see
the box highlighted on the image. The date check is datecheck.py, the item check itemcheck.py."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import logistics_on_file

from ..models import Appeal, Evidence
from .check import CONTRADICTS, MATCH, NOT_FOUND, Check, facts_of, reason_text
from .datecheck import EXPECTED as DATES_IN_ORDER
from .datecheck import date_order
from .itemcheck import item_shown

__all__ = ["CHECK_LABELS", "CONTRADICTS", "MATCH", "NOT_FOUND", "Check", "all_match", "cross_check", "reason_text",
           "unconfirmed", "value_text"]

CHECK_LABELS = {
    "order_number": _("Order screenshot shows the order number"),
    "order_item": _("Order screenshot shows the item ordered"),
    "refund_amount": _("Refund receipt shows the refund amount"),
    "refund_status": _("Refund receipt shows the refund as done"),
    "tracking_number": _("Logistics screenshot shows the return tracking number"),
    "tracking_record": _("The carrier's record shows the return parcel (no screenshot needed)"),
    "date_order": _("Dates in order: purchase, then return, then refund"),
}

# Values a check stores as codes (read or expected); numbers, dates and references are shown as read.
VALUE_WORDS = {
    "refunded": _("refund done"),
    "refund_failed": _("refund failed"),
    "refund_pending": _("refund in progress"),
    DATES_IN_ORDER: _("ordered ≤ returned ≤ refunded"),
}


def value_text(value) -> str:
    """A check's read or expected value in the reader's words."""
    return str(VALUE_WORDS.get(value, value or "—"))


def _compare(code, items, kind, expected, same=lambda read, want: read == want) -> Check:
    found = facts_of(items, kind)
    for item, fact in found:
        if same(fact.value, expected):
            return Check(code, MATCH, str(expected), str(fact.value), item.pk, fact.line)
    if found:
        item, fact = found[0]
        return Check(code, CONTRADICTS, str(expected), str(fact.value), item.pk, fact.line)
    return Check(code, NOT_FOUND, str(expected))


# Records may keep the carrier in front of an all-digit waybill (ZTO7512…); the carrier's own
# screenshot shows the digits only. SF, JD and YT numbers include their letters.
_DIGIT_WAYBILL_PREFIXES = ("ZTO", "STO", "YD", "EMS")


def _same_waybill(read: str, record: str) -> bool:
    def bare(number: str) -> str:
        for prefix in _DIGIT_WAYBILL_PREFIXES:
            if number.startswith(prefix) and number[len(prefix):].isdigit():
                return number[len(prefix):]
        return number

    return bare(read) == bare(record)


def _status(items) -> Check:
    found = facts_of(items, "status")
    for wanted, status in (("refunded", MATCH), ("refund_failed", CONTRADICTS), ("refund_pending", CONTRADICTS)):
        for item, fact in found:
            if fact.value == wanted:
                return Check("refund_status", status, "refunded", wanted, item.pk, fact.line)
    return Check("refund_status", NOT_FOUND, "refunded")


def _from_record(refund, record) -> Check:
    """The tracking check answered by the carrier's own record of the parcel instead of a screenshot."""
    first = record[0]
    read = f"{first.carrier} {first.tracking_number} {first.get_status_display()} " \
           f"{timezone.localtime(first.occurred_at):%Y-%m-%d %H:%M}"
    return Check("tracking_record", MATCH, refund.tracking_number.upper(), read)


def cross_check(appeal: Appeal, evidence: list[Evidence]) -> list[Check]:
    """Checks for a refund freeze's appeal; none for freezes without a refund behind them."""
    refund = appeal.freeze.refund
    if refund is None:
        return []
    ready = [item for item in evidence if item.status == Evidence.Status.READY]
    by_kind: dict[str, list[Evidence]] = {}
    for item in ready:
        by_kind.setdefault(item.kind, []).append(item)
    receipts, orders = by_kind.get(Evidence.Kind.REFUND_RECEIPT, []), by_kind.get(Evidence.Kind.ORDER, [])
    checks = [
        _compare("order_number", orders, "order_number", refund.order.number),
        item_shown(orders, refund.order),
        _compare("refund_amount", receipts, "amount", Decimal(refund.amount)),
        _status(receipts),
    ]
    record = logistics_on_file(refund)
    if record:
        checks.append(_from_record(refund, record))
    elif refund.tracking_number:
        checks.append(_compare("tracking_number", by_kind.get(Evidence.Kind.LOGISTICS, []), "tracking_number",
                               refund.tracking_number.upper(), same=_same_waybill))
    checks.append(date_order(by_kind, refund.order.created_at, refund.created_at,
                             pickup_at=record[0].occurred_at if record else None))
    return checks


def unconfirmed(checks: list[dict]) -> list[dict]:
    """For the customer: what the automatic check could not confirm, in plain words (a "?" with its
    reason; a "✗" by its name only: what was read stays between the agent and the record)."""
    return [{"label": CHECK_LABELS.get(check["code"], check["code"]),
             "reason": reason_text(check) if check["status"] == NOT_FOUND else ""}
            for check in checks if check["status"] != MATCH]


def all_match(checks: list[dict]) -> bool:
    return bool(checks) and all(check["status"] == MATCH for check in checks)
