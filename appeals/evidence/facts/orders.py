"""Order numbers: ours (DY/EL + 12 digits) anywhere, merchants' own formats after an order label."""

import re
from collections.abc import Iterator

from .text import END, GROUPED_DIGITS, LEFT, ORDER_NUMBER, Candidate, any_of, backoff

_OUR_ORDER = re.compile(rf"{LEFT}(?P<prefix>(?i:DY|EL)) ?(?P<body>{GROUPED_DIGITS}){END}")
ORDER_LABELS = any_of(["订单号", "订单编号", "订单号码"]) + r"|(?i:order *(?:number|no(?![A-Za-z])\.?))"
_ORDER_BODY = rf"[A-Za-z0-9]++(?: \d{{3,}}+(?![\d.,:/\-年月日时元件个%A-Za-z]))*+{END}"
_LABELLED_ORDER = re.compile(rf"(?:{ORDER_LABELS})[ :#]*(?P<body>{_ORDER_BODY})")
_PHONE = re.compile(r"1\d{10}")
_OUR_SHAPE = re.compile(r"(?:DY|EL)[\dO]+")  # ours or the takeaway platform's, maybe misread
_OUR_EXACT = re.compile(r"(?:DY|EL)\d{12}")
_WAYBILL_SHAPE = re.compile(r"(?:SF|YT|ZTO|YD)\d|JD[A-Z]{0,3}\d|E[A-Z]\d{9}CN$")


def _labelled_order_ok(value: str) -> bool:
    """After an order label anything alphanumeric of 10–24 characters goes (merchants' own formats),
    except what is recognisably something else: a phone number, a waybill, or a DY/EL number of the
    wrong length (or with an O in it) — that is ours misread, and a misread number must not pass."""
    return (
        10 <= len(value) <= 24
        and any(char.isdigit() for char in value)
        and not _PHONE.fullmatch(value)
        and not _WAYBILL_SHAPE.match(value)
        and not (_OUR_SHAPE.fullmatch(value) and not _OUR_EXACT.fullmatch(value))
    )


def order_candidates(line: str) -> Iterator[Candidate]:
    for match in _OUR_ORDER.finditer(line):
        end = backoff(match["body"], lambda digits: len(digits) == 12)
        if end is not None:
            value = match["prefix"].upper() + match["body"][:end].replace(" ", "")
            yield Candidate(match.start(), match.start("body") + end, ORDER_NUMBER, value, 0)
    for match in _LABELLED_ORDER.finditer(line):
        end = backoff(match["body"], lambda run: _labelled_order_ok(run.upper()))
        if end is not None:
            value = match["body"][:end].replace(" ", "").upper()
            yield Candidate(match.start("body"), match.start("body") + end, ORDER_NUMBER, value, 2)
