"""Mainland-China business days (工作日): weekends and statutory holidays off, make-up
workdays (调休) on. The `holidays` package supplies the calendar; operators' official
CalendarException rows override it where the package lags the State Council's notice."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

from .models import CalendarException


def start_of(day: date) -> datetime:
    """The moment a local day begins (the day's range for a query: [start_of(d), start_of(d + 1)))."""
    return timezone.make_aware(datetime.combine(day, time.min))


@lru_cache(maxsize=16)
def _china(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def _package_says_workday(day: date) -> bool:
    calendar = _china(day.year)
    if day in calendar.weekend_workdays:
        return True
    return day.weekday() < 5 and day not in calendar


def _overrides(start: date, end: date) -> dict[date, bool]:
    rows = CalendarException.objects.filter(date__range=(start, end)).values_list("date", "kind")
    return {day: kind == CalendarException.Kind.WORKDAY for day, kind in rows}


def is_business_day(day: date) -> bool:
    return _overrides(day, day).get(day, _package_says_workday(day))


def add_business_days(start: date, n: int) -> date:
    """The n-th business day after `start` (start itself not counted); n ≥ 1."""
    if n < 1:
        raise ValueError("n must be at least 1")
    # Holidays never stretch n business days past 3n + 14 calendar days.
    overrides = _overrides(start, start + timedelta(days=3 * n + 14))
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if overrides.get(day, _package_says_workday(day)):
            counted += 1
    return day


def count_business_days(start: date, end: date) -> int:
    """Business days in (start, end]; 0 when end is not after start."""
    if end <= start:
        return 0
    overrides = _overrides(start, end)
    return sum(
        overrides.get(day, _package_says_workday(day))
        for day in (start + timedelta(days=i) for i in range(1, (end - start).days + 1))
    )
