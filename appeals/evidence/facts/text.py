"""What every parser of evidence_facts shares: the fact kinds, the Fact read from a line, the
normalisation of OCR'd text and the building blocks of the patterns."""

import re
from collections.abc import Callable
from dataclasses import dataclass

ORDER_NUMBER = "order_number"
AMOUNT = "amount"
TRACKING_NUMBER = "tracking_number"
DATETIME = "datetime"
STATUS = "status"

CARRIERS = ("SF", "JD", "YT", "ZTO", "STO", "YD", "EMS")


@dataclass(frozen=True)
class Fact:
    """One fact read from one OCR line; `text` is the slice of the original line it was read from,
    so the UI can highlight it (it excludes the label that helped find it)."""

    kind: str  # "order_number" | "amount" | "tracking_number" | "datetime" | "status"
    value: object  # str | Decimal | datetime or MonthDay (no year printed) | str
    line: int  # index of the OCR line it came from
    text: str  # the matched text as it appears (for highlighting)
    carrier: str = ""  # for tracking numbers: "SF", "JD", "YT", "ZTO", "STO", "YD", "EMS" ("" if unknown)
    role: str = ""  # for dates: what it is the time of, "ordered" | "pickup" | "requested" | "refunded" ("" unknown)


# --- Normalisation -------------------------------------------------------------------------------
# Full-width forms (U+FF01–FF5E: ＃：，（）０-９Ａ-Ｚ …), the ideographic space and ￥ map to one ASCII
# character each, so positions in the normalised line are positions in the original: Fact.text is
# sliced from what the customer's screenshot actually shows.
_NARROW = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_NARROW.update({0x3000: " ", 0xFFE5: "¥", 0x2236: ":", ord("\t"): " "})


def narrow(line: str) -> str:
    return line.translate(_NARROW)


def spaced(word: str) -> str:
    """A regex for a Chinese word that OCR may have split with spaces (订 单 号)."""
    return " *".join(re.escape(char) for char in word)


def any_of(words: list[str]) -> str:
    return "|".join(spaced(word) for word in sorted(words, key=len, reverse=True))


# --- Building blocks -----------------------------------------------------------------------------
LEFT = r"(?<![A-Za-z0-9])"
# A waybill or order number ends at a space, Chinese text or punctuation, never inside a longer
# token or just before a decimal part.
END = r"(?![A-Za-z0-9]|[.,]\d)"
# Digits that OCR may have split with single spaces ("SF 1234 5678 9012"). A further group counts
# only with 3+ digits and when no unit, separator or letter follows it, so "SF123456789012 2件" or
# "… 2026-11-20" stay apart. Possessive: a shorter reading is tried by backoff, not by the engine.
GROUPED_DIGITS = r"\d++(?: \d{3,}+(?![\d.,:/\-年月日时元件个%A-Za-z]))*+"


def backoff(body: str, ok: Callable[[str], bool]) -> int | None:
    """Length of the longest prefix of `body`, cut at one of its spaces, whose space-free form is
    accepted by `ok`: "DY2026 1120 0001 2026" is DY202611200001 followed by something else."""
    ends = [len(body)] + [i for i in range(len(body) - 1, 0, -1) if body[i] == " "]
    for end in ends:
        if ok(body[:end].replace(" ", "")):
            return end
    return None


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    kind: str
    value: object
    priority: int  # lower wins an overlap: 0 self-identifying formats … 3 readings that lean on a label
    carrier: str = ""
