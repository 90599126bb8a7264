"""Return tracking (waybill) numbers: formats that name their carrier, bare digits after a carrier
word or a waybill label."""

import re
from collections.abc import Callable, Iterator

from .text import END, GROUPED_DIGITS, LEFT, TRACKING_NUMBER, Candidate, any_of, backoff, spaced

# Formats that name their carrier; the number is kept as written (prefix included, upper case, no
# spaces) because that is how our records store it (SF1402938475610, ZTO75123456789012).
_PREFIXED_WAYBILLS: list[tuple[str, re.Pattern, Callable[[str], bool]]] = [
    ("SF", re.compile(rf"{LEFT}(?P<prefix>(?i:SF)) ?(?P<body>{GROUPED_DIGITS}){END}"),
     lambda body: 12 <= len(body) <= 15),
    ("YT", re.compile(rf"{LEFT}(?P<prefix>(?i:YT)) ?(?P<body>{GROUPED_DIGITS}){END}"),
     lambda body: 13 <= len(body) <= 15),
    ("ZTO", re.compile(rf"{LEFT}(?P<prefix>(?i:ZTO)) ?(?P<body>{GROUPED_DIGITS}){END}"),
     lambda body: 12 <= len(body) <= 15),
    ("YD", re.compile(rf"{LEFT}(?P<prefix>(?i:YD)) ?(?P<body>{GROUPED_DIGITS}){END}"),
     lambda body: 13 <= len(body) <= 15),
    # JD: "JD" + 12–15 alphanumerics, in practice up to 3 letters (JDVA…, JDX…) then digits.
    ("JD", re.compile(rf"{LEFT}(?P<prefix>(?i:JD)) ?(?P<body>(?i:[A-Z]{{0,3}}){GROUPED_DIGITS}){END}"),
     lambda body: 12 <= len(body) <= 15),
]
# EMS international style (UPU S10): EA123456789CN, often printed as EA 123 456 789 CN.
_EMS_S10 = re.compile(rf"{LEFT}(?i:E[A-Z]) ?\d{{3}} ?\d{{3}} ?\d{{3}} ?(?i:CN){END}")

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
    rf"(?P<SF>{spaced('顺丰')})|(?P<JD>{spaced('京东')})|(?P<YT>{spaced('圆通')}|(?<![A-Za-z])(?i:YTO)(?![A-Za-z]))"
    rf"|(?P<ZTO>{spaced('中通')}|(?<![A-Za-z])(?i:ZTO)(?![A-Za-z0-9]))"
    rf"|(?P<STO>{spaced('申通')}|(?<![A-Za-z])(?i:STO)(?![A-Za-z]))|(?P<YD>{spaced('韵达')})"
    rf"|(?P<EMS>{spaced('邮政')}|(?<![A-Za-z])(?i:EMS)(?![A-Za-z]))"
)
# Words that on their own make the next bare number that carrier's (if it fits its format). Not
# 顺丰/京东/圆通: their numbers carry a prefix, and 京东 is also a shop whose order numbers are bare.
_LABEL_CARRIERS = {"ZTO", "STO", "YD", "EMS"}
TRACKING_LABELS = (any_of(["运单号", "运单编号", "运单号码", "快递单号", "物流单号"])
                    + r"|(?i:tracking *(?:number|no(?![A-Za-z])\.?))")
_LABELLED_WAYBILL = re.compile(rf"(?:{TRACKING_LABELS})[ :#]*(?P<body>{GROUPED_DIGITS}){END}")
_BARE_DIGITS = re.compile(rf"{GROUPED_DIGITS}{END}")
_DIGIT = re.compile(r"\d")


def _carrier_words(line: str) -> list[tuple[str, int, int]]:
    return [(match.lastgroup, match.start(), match.end()) for match in _CARRIER_WORDS.finditer(line)]


def tracking_candidates(line: str) -> Iterator[Candidate]:
    for carrier, pattern, ok in _PREFIXED_WAYBILLS:
        for match in pattern.finditer(line):
            end = backoff(match["body"], ok)
            if end is not None:
                value = (match["prefix"] + match["body"][:end]).replace(" ", "").upper()
                yield Candidate(match.start(), match.start("body") + end, TRACKING_NUMBER, value, 0, carrier)
    for match in _EMS_S10.finditer(line):
        yield Candidate(match.start(), match.end(), TRACKING_NUMBER, match[0].replace(" ", "").upper(), 0, "EMS")

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
        end = backoff(number[0], lambda digits, rule=rule: bool(rule.fullmatch(digits)))
        if end is not None:
            value = number[0][:end].replace(" ", "")
            yield Candidate(number.start(), number.start() + end, TRACKING_NUMBER, value, 3, carrier)

    # 运单号 / 快递单号 / 物流单号 / Tracking No + bare digits: the carrier comes from a carrier word on
    # the line, and stays "" when there is none or the number does not fit the one named.
    for match in _LABELLED_WAYBILL.finditer(line):
        end = backoff(match["body"], lambda digits: 12 <= len(digits) <= 15)
        if end is None:
            continue
        value = match["body"][:end].replace(" ", "")
        carrier = next((name for name, _s, _e in words if _DIGIT_RULES[name].fullmatch(value)), "")
        yield Candidate(match.start("body"), match.start("body") + end, TRACKING_NUMBER, value, 2, carrier)
