"""Dates and times as screens print them."""

import re
from collections.abc import Iterator
from datetime import datetime

from .text import DATETIME, Candidate

_DATE = re.compile(
    r"(?<![A-Za-z0-9.])(?P<y>20\d\d) *(?:(?P<sep>[-/.]) *(?P<m>\d{1,2}) *(?P=sep) *(?P<d>\d{1,2})"
    r"|年 *(?P<m2>\d{1,2}) *月 *(?P<d2>\d{1,2}) *日?)"
    r"(?P<time> *T? *(?P<H>\d{1,2}) *: *(?P<M>\d\d)(?: *: *(?P<S>\d\d))?)?"
    r"(?![\dOo])"
)


def datetime_candidates(line: str) -> Iterator[Candidate]:
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
