"""Compare what the screenshots say (OCR facts) with the record and the customer's claim.

Each check is ✓ match, ✗ contradicts (what was read vs what was expected) or ? not found,
and remembers which screenshot and which line of text it relied on, so the agent can see
the box highlighted on the image."""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import logistics_on_file

from ..models import Appeal, Evidence
from . import facts as evidence_facts

MATCH, CONTRADICTS, NOT_FOUND = "match", "contradicts", "not_found"

CHECK_LABELS = {
    "order_number": _("Order screenshot shows the order number"),
    "refund_amount": _("Refund receipt shows the refund amount"),
    "refund_status": _("Refund receipt shows the refund as done"),
    "tracking_number": _("Logistics screenshot shows the return tracking number"),
    "tracking_record": _("The carrier's record shows the return parcel (no screenshot needed)"),
    "date_order": _("Dates in order: purchase, then return, then refund"),
}


@dataclass(frozen=True)
class Check:
    code: str
    status: str
    expected: str = ""
    read: str = ""
    evidence_id: int | None = None
    line: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _facts(items: list[Evidence], kind: str) -> list[tuple[Evidence, evidence_facts.Fact]]:
    """Facts of one kind from every ready screenshot of the given items, in upload order."""
    return [
        (item, fact)
        for item in items
        for fact in evidence_facts.extract([line["text"] for line in item.ocr_lines])
        if fact.kind == kind
    ]


def _compare(code, items, kind, expected, same=lambda read, want: read == want) -> Check:
    found = _facts(items, kind)
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
    found = _facts(items, "status")
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


def _date_order(by_kind, record=()) -> Check:
    firsts = []
    for kind in (Evidence.Kind.ORDER, Evidence.Kind.LOGISTICS, Evidence.Kind.REFUND_RECEIPT):
        found = _facts(by_kind.get(kind, []), "datetime")
        if kind == Evidence.Kind.LOGISTICS and record:  # the carrier's pickup time, as the facts' naive local time
            picked_up = timezone.localtime(record[0].occurred_at).replace(tzinfo=None)
            found = [(None, evidence_facts.Fact("datetime", picked_up, None, ""))]
        firsts.append(min(found, key=lambda pair: pair[1].value) if found else None)
    if None in firsts:
        return Check("date_order", NOT_FOUND, "order ≤ return ≤ refund")
    (_o_item, ordered), (l_item, returned), (r_item, refunded) = firsts
    read = f"{ordered.value:%Y-%m-%d} / {returned.value:%Y-%m-%d} / {refunded.value:%Y-%m-%d}"
    if ordered.value.date() > returned.value.date():  # point at the date that comes too early
        return Check("date_order", CONTRADICTS, "order ≤ return ≤ refund", read, l_item and l_item.pk, returned.line)
    if returned.value.date() > refunded.value.date():
        return Check("date_order", CONTRADICTS, "order ≤ return ≤ refund", read, r_item.pk, refunded.line)
    return Check("date_order", MATCH, "order ≤ return ≤ refund", read, r_item.pk, refunded.line)


def cross_check(appeal: Appeal, evidence: list[Evidence]) -> list[Check]:
    """Checks for a refund freeze's appeal; none for freezes without a refund behind them."""
    refund = appeal.freeze.refund
    if refund is None:
        return []
    ready = [item for item in evidence if item.status == Evidence.Status.READY]
    by_kind: dict[str, list[Evidence]] = {}
    for item in ready:
        by_kind.setdefault(item.kind, []).append(item)
    receipts = by_kind.get(Evidence.Kind.REFUND_RECEIPT, [])
    checks = [
        _compare("order_number", by_kind.get(Evidence.Kind.ORDER, []), "order_number", refund.order.number),
        _compare("refund_amount", receipts, "amount", Decimal(refund.amount)),
        _status(receipts),
    ]
    record = logistics_on_file(refund)
    if record:
        checks.append(_from_record(refund, record))
    elif refund.tracking_number:
        checks.append(_compare("tracking_number", by_kind.get(Evidence.Kind.LOGISTICS, []), "tracking_number",
                               refund.tracking_number.upper(), same=_same_waybill))
    checks.append(_date_order(by_kind, record))
    return checks


def all_match(checks: list[dict]) -> bool:
    return bool(checks) and all(check["status"] == MATCH for check in checks)
