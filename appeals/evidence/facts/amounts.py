"""Amounts of money: after ¥/RMB, before 元, or after an amount label; never counts, dates or times."""

import re
from collections.abc import Iterator
from decimal import Decimal

from .text import AMOUNT, Candidate, any_of

# 1,599.00 / 1, 599.00 / 1599 / 86.5. Without thousands separators at most 7 integer digits, which
# keeps phone numbers (11), compact dates (8) and order numbers out even after an amount label.
# Not followed by more digits, a decimal part too long, or an O that is probably a misread 0.
_NUMBER = (r"(?P<num>\d{1,3}(?:, ?\d{3})++(?:\.\d{1,2})?|\d{1,7}(?:\.\d{1,2})?)"
           r"(?![.,] ?\d|\d|[Oo](?![A-Za-z]))")
# Not a count, a percentage, a date or a time: 共2件, 5%, 2026-11-20, 19:18.
_NOT_A_COUNT = r"(?! *(?:[%件个张笔期天次单份台只年月日时分秒]|[:/\-] *\d))"
_CURRENCY = r"(?:¥|(?<![A-Za-z])(?i:RMB))"
_SIGNED_AMOUNT = re.compile(rf"{_CURRENCY} *[+-]? *{_NUMBER}(?: *元)?{_NOT_A_COUNT}")
_YUAN_AMOUNT = re.compile(rf"(?<![A-Za-z0-9.,]){_NUMBER} *元{_NOT_A_COUNT}")
AMOUNT_LABELS = any_of(["实付款", "退款金额", "金额", "合计"])
_LABELLED_AMOUNT = re.compile(
    rf"(?:{AMOUNT_LABELS})(?: *\(元\))? *:? *(?:{_CURRENCY} *)?[+-]? *"
    rf"(?<![A-Za-z0-9.,]){_NUMBER}(?: *元)?{_NOT_A_COUNT}"
)
_CENT = Decimal("0.01")


def _money(number: str) -> Decimal:
    return Decimal(number.replace(",", "").replace(" ", "")).quantize(_CENT)


def amount_candidates(line: str) -> Iterator[Candidate]:
    for pattern in (_SIGNED_AMOUNT, _YUAN_AMOUNT):
        for match in pattern.finditer(line):
            yield Candidate(match.start(), match.end(), AMOUNT, _money(match["num"]), 1)
    for match in _LABELLED_AMOUNT.finditer(line):
        yield Candidate(match.start("num"), match.end(), AMOUNT, _money(match["num"]), 3)
