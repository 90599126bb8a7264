"""Facts read out of the OCR'd text of an appeal's screenshots: order numbers, amounts, return
tracking numbers, dates and refund/logistics statuses, each with the line it came from.

Customers prove a refund with phone screenshots (the order, the return's tracking, the refund
receipt). OCR turns them into lines of Simplified Chinese app text mixed with ASCII, with spaces
dropped or added and punctuation sometimes read in its full-width form (＃￥：，（）). The
cross-check compares these facts with our records, so the parsers would rather miss a fact than
invent one: an agent can still read a screenshot the parser skipped, but a wrong number that
looks machine-checked misleads. Hence:

* a number must stand alone: no digit or letter glued to either end ("x2" after an amount is
  fine, "DY" + 13 digits is not an order number cut to 12);
* a letter O read for a 0 inside a number makes the number unreadable; it is never guessed back;
* when the same characters could be two facts (an order-number label in front of an SF waybill,
  a date after an amount label) the more specific reading wins and the other is dropped;
* phone UIs often put a label on one row and its value on the next, so a line holding nothing but
  a label (订单编号, 退款金额, 运单号 …) labels the line after it.

Pure Python, no Django: the parsers are used from the OCR worker and from the cross-check.
"""

import re
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from . import dates
from .amounts import AMOUNT_LABELS, amount_candidates
from .dates import MonthDay, datetime_candidates
from .orders import ORDER_LABELS, order_candidates
from .statuses import status_candidates
from .text import AMOUNT, DATETIME, ORDER_NUMBER, STATUS, TRACKING_NUMBER, Candidate, Fact, narrow
from .waybills import TRACKING_LABELS, tracking_candidates

__all__ = ["AMOUNT", "DATETIME", "ORDER_NUMBER", "STATUS", "TRACKING_NUMBER", "Fact", "MonthDay", "amounts",
           "datetimes", "extract", "order_numbers", "statuses", "tracking_numbers"]

_SCANNERS = (order_candidates, amount_candidates, tracking_candidates, datetime_candidates, status_candidates)
_LABEL_ONLY = re.compile(rf"\s*(?:(?:{ORDER_LABELS})|(?:{AMOUNT_LABELS})(?: *\(元\))?|(?:{TRACKING_LABELS})"
                         rf"|(?:{dates.DATE_LABELS}))[ :#]*")


def _chosen(text: str, skip: int) -> list[Candidate]:
    """The candidates of a line that start at or after `skip`, overlaps settled, left to right."""
    candidates = [c for scan in _SCANNERS for c in scan(text) if c.start >= skip]
    chosen: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.priority, c.start - c.end, c.start)):
        if all(candidate.end <= other.start or other.end <= candidate.start for other in chosen):
            chosen.append(candidate)
    return sorted(chosen, key=lambda c: c.start)


def _date_roles(text: str, chosen: list[Candidate]) -> dict[int, str]:
    """Role of each date candidate (by start), from the label words of its line."""
    line_roles = dates.roles(text)
    spans = [(c.start, c.end) for c in chosen if c.kind == DATETIME]
    found = {}
    for i, span in enumerate(spans):
        previous_end = spans[i - 1][1] if i else 0
        next_start = spans[i + 1][0] if i + 1 < len(spans) else len(text)
        found[span[0]] = dates.role_at(line_roles, span, previous_end, next_start)
    return found


def _line_facts(index: int, line: str, label: str = "") -> list[Fact]:
    """Facts of one line, overlaps settled. `label` is a label read on the line before, scanned as if
    it stood in front of this line."""
    lead = f"{label} " if label else ""
    text = lead + narrow(line)
    chosen = _chosen(text, len(lead))
    roles = _date_roles(text, chosen)
    shift = len(lead)
    return [Fact(c.kind, c.value, index, line[c.start - shift:c.end - shift], c.carrier, roles.get(c.start, ""))
            for c in chosen]


def extract(lines: list[str]) -> list[Fact]:
    """All facts of all lines, in line order and, within a line, left to right. A line holding only
    a label (订单编号, 退款金额, 运单号, 下单时间 …) lends it to the next line, as in label-above-value
    layouts. A date with no label of its own is the pickup's when the timeline event it closes (the
    lines since the previous date) says 揽收 / 已揽件."""
    facts: list[Fact] = []
    previous, pickup_seen = "", False
    for index, line in enumerate(lines):
        label_line = _LABEL_ONLY.fullmatch(narrow(previous))
        found = _line_facts(index, line, label_line[0].strip() if label_line else "")
        line_dates = [fact for fact in found if fact.kind == DATETIME]
        if pickup_seen and line_dates and not line_dates[0].role:
            found = [replace(fact, role=dates.PICKUP) if fact is line_dates[0] else fact for fact in found]
        if line_dates:
            pickup_seen = False
        elif any(role == dates.PICKUP for role, _s, _e in dates.roles(narrow(line))):
            pickup_seen = True
        facts.extend(found)
        previous = line
    return facts


def _of_kind(text: str, kind: str) -> list[Fact]:
    return [fact for fact in extract(text.splitlines()) if fact.kind == kind]


def order_numbers(text: str) -> list[str]:
    """Order numbers in the text (one or more lines), upper case without spaces, in order read."""
    return [fact.value for fact in _of_kind(text, ORDER_NUMBER)]


def amounts(text: str) -> list[Decimal]:
    """Amounts of money in the text, to the cent, in order read (signs are dropped)."""
    return [fact.value for fact in _of_kind(text, AMOUNT)]


def tracking_numbers(text: str) -> list[tuple[str, str]]:
    """(carrier, number) for each waybill number in the text; carrier "" when no carrier can be told."""
    return [(fact.carrier, fact.value) for fact in _of_kind(text, TRACKING_NUMBER)]


def datetimes(text: str) -> list[datetime | MonthDay]:
    """Naive datetimes in the text (midnight when only the date is shown), in order read; a date
    printed without its year is a MonthDay."""
    return [fact.value for fact in _of_kind(text, DATETIME)]


def statuses(text: str) -> list[str]:
    """Canonical statuses (refunded, refund_pending, refund_failed, delivered, returned, in_transit)
    in order read; a word shown twice counts twice."""
    return [fact.value for fact in _of_kind(text, STATUS)]
