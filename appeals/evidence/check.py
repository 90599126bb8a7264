"""One check of the screenshots against the record: ✓ match, ✗ contradicts (what was read vs what
was expected) or ? not found, with the screenshot and line it relied on, and for a "?" the reason
when there is more to say than "not on the screenshot"."""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _

from ..models import Evidence
from . import facts as evidence_facts

MATCH, CONTRADICTS, NOT_FOUND = "match", "contradicts", "not_found"

# Why a check stayed "?", in words an agent and a customer both understand.
REASONS = {
    "no_order_date": _("The order screenshot shows no order time."),
    "no_pickup_date": _("The logistics screenshot shows no pickup or other tracking time."),
    "no_refund_date": _("The refund receipt shows no refund time."),
    "year_unclear": _("A date is printed without its year (%(read)s) and is not close to the order and refund "
                      "dates, so its year cannot be told."),
    "not_the_order_page": _("The order screenshot does not show this order's number, so its item was not "
                            "compared."),
    "item_unclear": _("The item's name could not be read clearly enough to compare (closest: %(read)s)."),
}


@dataclass(frozen=True)
class Check:
    code: str
    status: str
    expected: str = ""
    read: str = ""
    evidence_id: int | None = None
    line: int | None = None
    reason: str = ""  # a REASONS key, for some "?" checks

    def as_dict(self) -> dict:
        return asdict(self)


def reason_text(check: dict) -> str:
    text = REASONS.get(check.get("reason") or "")
    return str(text) % {"read": check.get("read") or "—"} if text else ""


def lines_of(item: Evidence) -> list[str]:
    return [line["text"] for line in item.ocr_lines]


def facts_of(items: list[Evidence], kind: str) -> list[tuple[Evidence, evidence_facts.Fact]]:
    """Facts of one kind from every given screenshot, in upload order."""
    return [(item, fact) for item in items for fact in evidence_facts.extract(lines_of(item)) if fact.kind == kind]
