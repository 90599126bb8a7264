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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

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
    value: object  # str | Decimal | datetime | str
    line: int  # index of the OCR line it came from
    text: str  # the matched text as it appears (for highlighting)
    carrier: str = ""  # for tracking numbers: "SF", "JD", "YT", "ZTO", "STO", "YD", "EMS" ("" if unknown)


# --- Normalisation -------------------------------------------------------------------------------
# Full-width forms (U+FF01–FF5E: ＃：，（）０-９Ａ-Ｚ …), the ideographic space and ￥ map to one ASCII
# character each, so positions in the normalised line are positions in the original: Fact.text is
# sliced from what the customer's screenshot actually shows.
_NARROW = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_NARROW.update({0x3000: " ", 0xFFE5: "¥", 0x2236: ":", ord("\t"): " "})


def _narrow(line: str) -> str:
    return line.translate(_NARROW)


def _spaced(word: str) -> str:
    """A regex for a Chinese word that OCR may have split with spaces (订 单 号)."""
    return " *".join(re.escape(char) for char in word)


def _any_of(words: list[str]) -> str:
    return "|".join(_spaced(word) for word in sorted(words, key=len, reverse=True))


# --- Building blocks -----------------------------------------------------------------------------
_LEFT = r"(?<![A-Za-z0-9])"
# A waybill or order number ends at a space, Chinese text or punctuation, never inside a longer
# token or just before a decimal part.
_END = r"(?![A-Za-z0-9]|[.,]\d)"
# Digits that OCR may have split with single spaces ("SF 1234 5678 9012"). A further group counts
# only with 3+ digits and when no unit, separator or letter follows it, so "SF123456789012 2件" or
# "… 2026-11-20" stay apart. Possessive: a shorter reading is tried by _backoff, not by the engine.
_GROUPED_DIGITS = r"\d++(?: \d{3,}+(?![\d.,:/\-年月日时元件个%A-Za-z]))*+"


def _backoff(body: str, ok: Callable[[str], bool]) -> int | None:
    """Length of the longest prefix of `body`, cut at one of its spaces, whose space-free form is
    accepted by `ok`: "DY2026 1120 0001 2026" is DY202611200001 followed by something else."""
    ends = [len(body)] + [i for i in range(len(body) - 1, 0, -1) if body[i] == " "]
    for end in ends:
        if ok(body[:end].replace(" ", "")):
            return end
    return None


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    kind: str
    value: object
    priority: int  # lower wins an overlap: 0 self-identifying formats … 3 readings that lean on a label
    carrier: str = ""


# --- Order numbers -------------------------------------------------------------------------------
_OUR_ORDER = re.compile(rf"{_LEFT}(?P<prefix>(?i:DY|EL)) ?(?P<body>{_GROUPED_DIGITS}){_END}")
_ORDER_LABELS = _any_of(["订单号", "订单编号", "订单号码"]) + r"|(?i:order *(?:number|no(?![A-Za-z])\.?))"
_ORDER_BODY = rf"[A-Za-z0-9]++(?: \d{{3,}}+(?![\d.,:/\-年月日时元件个%A-Za-z]))*+{_END}"
_LABELLED_ORDER = re.compile(rf"(?:{_ORDER_LABELS})[ :#]*(?P<body>{_ORDER_BODY})")
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


def _order_candidates(line: str) -> Iterator[_Candidate]:
    for match in _OUR_ORDER.finditer(line):
        end = _backoff(match["body"], lambda digits: len(digits) == 12)
        if end is not None:
            value = match["prefix"].upper() + match["body"][:end].replace(" ", "")
            yield _Candidate(match.start(), match.start("body") + end, ORDER_NUMBER, value, 0)
    for match in _LABELLED_ORDER.finditer(line):
        end = _backoff(match["body"], lambda run: _labelled_order_ok(run.upper()))
        if end is not None:
            value = match["body"][:end].replace(" ", "").upper()
            yield _Candidate(match.start("body"), match.start("body") + end, ORDER_NUMBER, value, 2)


# --- Amounts -------------------------------------------------------------------------------------
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
_AMOUNT_LABELS = _any_of(["实付款", "退款金额", "金额", "合计"])
_LABELLED_AMOUNT = re.compile(
    rf"(?:{_AMOUNT_LABELS})(?: *\(元\))? *:? *(?:{_CURRENCY} *)?[+-]? *"
    rf"(?<![A-Za-z0-9.,]){_NUMBER}(?: *元)?{_NOT_A_COUNT}"
)
_CENT = Decimal("0.01")


def _money(number: str) -> Decimal:
    return Decimal(number.replace(",", "").replace(" ", "")).quantize(_CENT)


def _amount_candidates(line: str) -> Iterator[_Candidate]:
    for pattern in (_SIGNED_AMOUNT, _YUAN_AMOUNT):
        for match in pattern.finditer(line):
            yield _Candidate(match.start(), match.end(), AMOUNT, _money(match["num"]), 1)
    for match in _LABELLED_AMOUNT.finditer(line):
        yield _Candidate(match.start("num"), match.end(), AMOUNT, _money(match["num"]), 3)


# --- Tracking numbers ----------------------------------------------------------------------------
# Formats that name their carrier; the number is kept as written (prefix included, upper case, no
# spaces) because that is how our records store it (SF1402938475610, ZTO75123456789012).
_PREFIXED_WAYBILLS: list[tuple[str, re.Pattern, Callable[[str], bool]]] = [
    ("SF", re.compile(rf"{_LEFT}(?P<prefix>(?i:SF)) ?(?P<body>{_GROUPED_DIGITS}){_END}"),
     lambda body: 12 <= len(body) <= 15),
    ("YT", re.compile(rf"{_LEFT}(?P<prefix>(?i:YT)) ?(?P<body>{_GROUPED_DIGITS}){_END}"),
     lambda body: 13 <= len(body) <= 15),
    ("ZTO", re.compile(rf"{_LEFT}(?P<prefix>(?i:ZTO)) ?(?P<body>{_GROUPED_DIGITS}){_END}"),
     lambda body: 12 <= len(body) <= 15),
    ("YD", re.compile(rf"{_LEFT}(?P<prefix>(?i:YD)) ?(?P<body>{_GROUPED_DIGITS}){_END}"),
     lambda body: 13 <= len(body) <= 15),
    # JD: "JD" + 12–15 alphanumerics, in practice up to 3 letters (JDVA…, JDX…) then digits.
    ("JD", re.compile(rf"{_LEFT}(?P<prefix>(?i:JD)) ?(?P<body>(?i:[A-Z]{{0,3}}){_GROUPED_DIGITS}){_END}"),
     lambda body: 12 <= len(body) <= 15),
]
# EMS international style (UPU S10): EA123456789CN, often printed as EA 123 456 789 CN.
_EMS_S10 = re.compile(rf"{_LEFT}(?i:E[A-Z]) ?\d{{3}} ?\d{{3}} ?\d{{3}} ?(?i:CN){_END}")

# Carriers whose numbers are bare digits, with what their numbers look like.
_DIGIT_RULES = {
    "ZTO": re.compile(r"[75]\d{11,14}"),
    "STO": re.compile(r"(?:77|88)\d{11}(?:\d{2})?"),  # 13 digits, or the newer 15
    "YD": re.compile(r"(?:31|43|46)\d{11}(?:\d{2})?"),
    "EMS": re.compile(r"1\d{12}|98\d{11}"),  # domestic EMS 1…, China Post parcels 98…
    # Only after a 运单号-style label: then a bare 12–15 digit number on a 顺丰/京东/圆通 line is theirs.
    "SF": re.compile(r"\d{12,15}"),
    "JD": re.compile(r"\d{12,15}"),
    "YT": re.compile(r"\d{12,15}"),
}
_CARRIER_WORDS = re.compile(
    rf"(?P<SF>{_spaced('顺丰')})|(?P<JD>{_spaced('京东')})|(?P<YT>{_spaced('圆通')}|(?<![A-Za-z])(?i:YTO)(?![A-Za-z]))"
    rf"|(?P<ZTO>{_spaced('中通')}|(?<![A-Za-z])(?i:ZTO)(?![A-Za-z0-9]))"
    rf"|(?P<STO>{_spaced('申通')}|(?<![A-Za-z])(?i:STO)(?![A-Za-z]))|(?P<YD>{_spaced('韵达')})"
    rf"|(?P<EMS>{_spaced('邮政')}|(?<![A-Za-z])(?i:EMS)(?![A-Za-z]))"
)
# Words that on their own make the next bare number that carrier's (if it fits its format). Not
# 顺丰/京东/圆通: their numbers carry a prefix, and 京东 is also a shop whose order numbers are bare.
_LABEL_CARRIERS = {"ZTO", "STO", "YD", "EMS"}
_TRACKING_LABELS = (_any_of(["运单号", "运单编号", "运单号码", "快递单号", "物流单号"])
                    + r"|(?i:tracking *(?:number|no(?![A-Za-z])\.?))")
_LABELLED_WAYBILL = re.compile(rf"(?:{_TRACKING_LABELS})[ :#]*(?P<body>{_GROUPED_DIGITS}){_END}")
_BARE_DIGITS = re.compile(rf"{_GROUPED_DIGITS}{_END}")
_DIGIT = re.compile(r"\d")


def _carrier_words(line: str) -> list[tuple[str, int, int]]:
    return [(match.lastgroup, match.start(), match.end()) for match in _CARRIER_WORDS.finditer(line)]


def _tracking_candidates(line: str) -> Iterator[_Candidate]:
    for carrier, pattern, ok in _PREFIXED_WAYBILLS:
        for match in pattern.finditer(line):
            end = _backoff(match["body"], ok)
            if end is not None:
                value = (match["prefix"] + match["body"][:end]).replace(" ", "").upper()
                yield _Candidate(match.start(), match.start("body") + end, TRACKING_NUMBER, value, 0, carrier)
    for match in _EMS_S10.finditer(line):
        yield _Candidate(match.start(), match.end(), TRACKING_NUMBER, match[0].replace(" ", "").upper(), 0, "EMS")

    words = _carrier_words(line)
    # 中通 / 申通 / 韵达 / EMS / 邮政, then (after any non-digit text) the first number on the line.
    for carrier, _start, word_end in words:
        if carrier not in _LABEL_CARRIERS:
            continue
        digit = _DIGIT.search(line, word_end)
        if digit is None or (digit.start() > word_end and re.match(r"[A-Za-z]", line[digit.start() - 1])):
            continue  # the first digits belong to another token (EA123…CN, SF1…): not a bare number
        number = _BARE_DIGITS.match(line, digit.start())
        if number is None:
            continue
        rule = _DIGIT_RULES[carrier]
        end = _backoff(number[0], lambda digits, rule=rule: bool(rule.fullmatch(digits)))
        if end is not None:
            value = number[0][:end].replace(" ", "")
            yield _Candidate(number.start(), number.start() + end, TRACKING_NUMBER, value, 3, carrier)

    # 运单号 / 快递单号 / 物流单号 / Tracking No + bare digits: the carrier comes from a carrier word on
    # the line, and stays "" when there is none or the number does not fit the one named.
    for match in _LABELLED_WAYBILL.finditer(line):
        end = _backoff(match["body"], lambda digits: 12 <= len(digits) <= 15)
        if end is None:
            continue
        value = match["body"][:end].replace(" ", "")
        carrier = next((name for name, _s, _e in words if _DIGIT_RULES[name].fullmatch(value)), "")
        yield _Candidate(match.start("body"), match.start("body") + end, TRACKING_NUMBER, value, 2, carrier)


# --- Dates and times -----------------------------------------------------------------------------
_DATE = re.compile(
    r"(?<![A-Za-z0-9.])(?P<y>20\d\d) *(?:(?P<sep>[-/.]) *(?P<m>\d{1,2}) *(?P=sep) *(?P<d>\d{1,2})"
    r"|年 *(?P<m2>\d{1,2}) *月 *(?P<d2>\d{1,2}) *日?)"
    r"(?P<time> *T? *(?P<H>\d{1,2}) *: *(?P<M>\d\d)(?: *: *(?P<S>\d\d))?)?"
    r"(?![\dOo])"
)


def _datetime_candidates(line: str) -> Iterator[_Candidate]:
    for match in _DATE.finditer(line):
        date = int(match["y"]), int(match["m"] or match["m2"]), int(match["d"] or match["d2"])
        time = (int(match["H"]), int(match["M"]), int(match["S"] or 0)) if match["time"] else ()
        try:
            yield _Candidate(match.start(), match.end(), DATETIME, datetime(*date, *time), 1)
            continue
        except ValueError:
            pass
        if not time:
            continue  # 2026-13-40: not a date
        # A valid date with an unreadable time keeps the date, unless the two ran together.
        date_end = match.start("time")
        if line[date_end].isdigit():
            continue
        try:
            yield _Candidate(match.start(), date_end, DATETIME, datetime(*date), 1)
        except ValueError:
            continue


# --- Statuses ------------------------------------------------------------------------------------
_STATUS_WORDS = {
    "退款成功": "refunded", "已退款": "refunded", "退款完成": "refunded", "退款已到账": "refunded",
    "退款中": "refund_pending", "退款处理中": "refund_pending",
    "已签收": "delivered", "签收成功": "delivered",
    "退货": "returned", "已退货": "returned", "退货成功": "returned",
    "运输中": "in_transit", "已揽收": "in_transit", "派送中": "in_transit",
    "退款关闭": "refund_failed", "退款失败": "refund_failed",
}
# Longest first, so 退款失败 is read whole and never also as a refund.
_STATUS = re.compile("|".join(f"(?P<s{i}>{_spaced(word)})" for i, word in enumerate(
    sorted(_STATUS_WORDS, key=len, reverse=True))))
_STATUS_BY_GROUP = {f"s{i}": _STATUS_WORDS[word] for i, word in enumerate(
    sorted(_STATUS_WORDS, key=len, reverse=True))}
# A bare 退货 is a status only when it is not part of a return's paperwork or a shop's promise:
# 退货地址, 退货单号, 七天无理由退货, 申请退货 appear on screenshots of goods never sent back.
_NOT_RETURNED_BEFORE = ("申请", "未", "待", "理由", "支持", "可", "如需", "发起")
_NOT_RETURNED_AFTER = ("地址", "单号", "运单", "物流", "快递", "方式", "原因", "说明", "须知", "政策", "退款",
                       "申请", "中", "商品", "数量", "金额", "进度", "详情", "信息", "时间", "凭证")


def _status_candidates(line: str) -> Iterator[_Candidate]:
    for match in _STATUS.finditer(line):
        value = _STATUS_BY_GROUP[match.lastgroup]
        if match[0].replace(" ", "") == "退货":
            before = line[:match.start()].replace(" ", "")
            after = line[match.end():].replace(" ", "")
            if before.endswith(_NOT_RETURNED_BEFORE) or after.startswith(_NOT_RETURNED_AFTER):
                continue
        if value == "refund_pending" and line[match.end():].lstrip().startswith("心"):
            continue  # 退款中心 is a menu entry
        yield _Candidate(match.start(), match.end(), STATUS, value, 1)


# --- Putting it together -------------------------------------------------------------------------
_SCANNERS = (_order_candidates, _amount_candidates, _tracking_candidates, _datetime_candidates, _status_candidates)
_LABEL_ONLY = re.compile(rf"\s*(?:(?:{_ORDER_LABELS})|(?:{_AMOUNT_LABELS})(?: *\(元\))?|(?:{_TRACKING_LABELS}))[ :#]*")


def _line_facts(index: int, line: str, label: str = "") -> list[Fact]:
    """Facts of one line, overlaps settled. `label` is a label read on the line before, scanned as if
    it stood in front of this line."""
    lead = f"{label} " if label else ""
    text = lead + _narrow(line)
    candidates = [c for scan in _SCANNERS for c in scan(text) if c.start >= len(lead)]
    chosen: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.priority, c.start - c.end, c.start)):
        if all(candidate.end <= other.start or other.end <= candidate.start for other in chosen):
            chosen.append(candidate)
    shift = len(lead)
    return [
        Fact(c.kind, c.value, index, line[c.start - shift:c.end - shift], c.carrier)
        for c in sorted(chosen, key=lambda c: c.start)
    ]


def extract(lines: list[str]) -> list[Fact]:
    """All facts of all lines, in line order and, within a line, left to right. A line holding only
    a label (订单编号, 退款金额, 运单号 …) lends it to the next line, as in label-above-value layouts."""
    facts: list[Fact] = []
    previous = ""
    for index, line in enumerate(lines):
        label_line = _LABEL_ONLY.fullmatch(_narrow(previous))
        facts.extend(_line_facts(index, line, label_line[0].strip() if label_line else ""))
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


def datetimes(text: str) -> list[datetime]:
    """Naive datetimes in the text (midnight when only the date is shown), in order read."""
    return [fact.value for fact in _of_kind(text, DATETIME)]


def statuses(text: str) -> list[str]:
    """Canonical statuses (refunded, refund_pending, refund_failed, delivered, returned, in_transit)
    in order read; a word shown twice counts twice."""
    return [fact.value for fact in _of_kind(text, STATUS)]
