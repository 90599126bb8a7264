"""Dates and times as screens print them, and what each date is the time of.

Order and receipt pages print the year (下单时间 2026-11-20 09:05:00); courier timelines and refund
progress steps often do not (11-27 14:22), and OCR may glue the date to its time (08-3017:43). A
year-less date is read as a MonthDay; the cross-check takes its year from the record's dates.

What a date means comes from a label word on its line (下单时间, 申请时间, 退款时间, 揽收 …), from a
label-only line just above it (two-row layouts), or, for a courier's pickup, from the timeline event
it closes: timelines print an event's words, then its time."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from .text import DATETIME, Candidate, any_of

_DATE = re.compile(
    r"(?<![A-Za-z0-9.])(?P<y>20\d\d) *(?:(?P<sep>[-/.]) *(?P<m>\d{1,2}) *(?P=sep) *(?P<d>\d{1,2})"
    r"|年 *(?P<m2>\d{1,2}) *月 *(?P<d2>\d{1,2}) *日?)"
    r"(?P<time> *T? *(?P<H>\d{1,2}) *: *(?P<M>\d\d)(?: *: *(?P<S>\d\d))?)?"
    r"(?![\dOo])"
)
# 11-27 14:22, 11/27 14:22, 08-3017:43 (glued), 11月27日 (time optional): never inside a longer date,
# a number or a code. The dash form needs its time: "36-40" alone is a size, not a date.
_TIME = r"(?P<H>[0-2]?\d) *: *(?P<M>[0-5]\d)(?: *: *(?P<S>[0-5]\d))?"
_MONTH_DAY = re.compile(
    r"(?<![A-Za-z0-9.:/\-年])(?:(?P<m>[01]?\d) *(?P<sep>[-/]) *(?P<d>[0-3]?\d) *" + _TIME
    + r"|(?P<m2>[01]?\d) *月 *(?P<d2>[0-3]?\d) *日(?: *" + _TIME.replace("?P<", "?P<t2") + r")?)"
    r"(?![\dOo])"
)

# What a date is the time of, by the label next to it.
ORDERED, PICKUP, REQUESTED, REFUNDED = "ordered", "pickup", "requested", "refunded"
_ROLE_WORDS = {
    ORDERED: ["下单时间", "付款时间", "支付时间", "创建时间", "成交时间"],
    REQUESTED: ["申请时间", "提交申请", "发起时间"],
    REFUNDED: ["退款时间", "到账时间", "退款成功时间", "退款完成时间"],
    PICKUP: ["揽收", "已揽件", "揽件"],
}
_ROLE = re.compile("|".join(rf"(?P<{role}>{any_of(words)})" for role, words in _ROLE_WORDS.items()))
# 待揽收, 等待快递员上门揽收: the event before the pickup, not it.
_WAITING = re.compile(r"待[^，。,;；]{0,8}$")
DATE_LABELS = "|".join(any_of(words) for role, words in _ROLE_WORDS.items() if role != PICKUP)


@dataclass(frozen=True)
class MonthDay:
    """A date printed without its year (a courier timeline's 11-27 14:22)."""

    month: int
    day: int
    hour: int = 0
    minute: int = 0
    second: int = 0

    def in_year(self, year: int) -> datetime | None:
        try:
            return datetime(year, self.month, self.day, self.hour, self.minute, self.second)
        except ValueError:  # 02-29 in a common year
            return None

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d} {self.hour:02d}:{self.minute:02d}"


def _full_dates(line: str) -> Iterator[Candidate]:
    for match in _DATE.finditer(line):
        date = int(match["y"]), int(match["m"] or match["m2"]), int(match["d"] or match["d2"])
        time = (int(match["H"]), int(match["M"]), int(match["S"] or 0)) if match["time"] else ()
        try:
            yield Candidate(match.start(), match.end(), DATETIME, datetime(*date, *time), 1)
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
            yield Candidate(match.start(), date_end, DATETIME, datetime(*date), 1)
        except ValueError:
            continue


def _month_days(line: str) -> Iterator[Candidate]:
    for match in _MONTH_DAY.finditer(line):
        month, day = int(match["m"] or match["m2"]), int(match["d"] or match["d2"])
        hour, minute, second = (match[name] or match[f"t2{name}"] or "0" for name in ("H", "M", "S"))
        value = MonthDay(month, day, int(hour), int(minute), int(second))
        if value.in_year(2028) is None or value.hour > 23:  # 2028 is a leap year: 02-29 stays possible
            continue
        yield Candidate(match.start(), match.end(), DATETIME, value, 2)


def datetime_candidates(line: str) -> Iterator[Candidate]:
    yield from _full_dates(line)
    yield from _month_days(line)


def roles(line: str) -> list[tuple[str, int, int]]:
    """(role, start, end) of every date label word on the line."""
    return [(match.lastgroup, match.start(), match.end()) for match in _ROLE.finditer(line)
            if not (match.lastgroup == PICKUP and _WAITING.search(line, 0, match.start()))]


def role_at(line_roles: list[tuple[str, int, int]], span: tuple[int, int], previous_end: int, next_start: int) -> str:
    """The role of the date at line[span]: the last label between the previous date and it, else
    the first label between it and the next date ("2026-11-03 14:20 已揽收")."""
    start, end = span
    before = [role for role, _s, label_end in line_roles if previous_end <= label_end <= start]
    if before:
        return before[-1]
    return next((role for role, label_start, _e in line_roles if end <= label_start < next_start), "")
