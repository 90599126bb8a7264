"""Mainland-China business days across the long holidays, CalendarException overrides, and the
restore dates promised for each kind of freeze.

Expected dates are worked out by hand from the State Council calendar as the `holidays` package
(0.109) has it:
  * National Day 2026: Oct 1 (Thu) – Oct 7 (Wed) off; Sun Sep 20 and Sat Oct 10 are make-up workdays;
    Fri Sep 25 is Mid-Autumn.
  * Spring Festival 2027: Feb 5 (Fri) – Feb 10 (Wed) off; the package lists no make-up workdays for 2027.
"""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import freeze_dates
from accounts.business_days import add_business_days, count_business_days, is_business_day
from accounts.models import CalendarException, Freeze

pytestmark = pytest.mark.django_db

SEP_30_2026 = date(2026, 9, 30)  # Wednesday, last workday before National Day
FEB_04_2027 = date(2027, 2, 4)  # Thursday, last workday before Spring Festival


def day_off(day):
    return CalendarException.objects.create(date=day, kind=CalendarException.Kind.DAY_OFF)


def workday(day):
    return CalendarException.objects.create(date=day, kind=CalendarException.Kind.WORKDAY)


def days(start, end):
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# ---------------------------------------------------------------- National Day 2026


@pytest.mark.parametrize("n, expected", [
    (1, date(2026, 10, 8)),   # Thu
    (2, date(2026, 10, 9)),   # Fri
    (3, date(2026, 10, 10)),  # Sat, make-up workday
    (4, date(2026, 10, 12)),  # Mon (Sun Oct 11 is off)
    (8, date(2026, 10, 16)),
])
def test_add_business_days_across_national_day(n, expected):
    assert add_business_days(SEP_30_2026, n) == expected


def test_national_day_holidays_are_not_business_days():
    assert [d for d in days(date(2026, 10, 1), date(2026, 10, 7)) if is_business_day(d)] == []


@pytest.mark.parametrize("day, expected", [
    (date(2026, 9, 18), True),    # Fri
    (date(2026, 9, 19), False),   # Sat
    (date(2026, 9, 20), True),    # Sun, make-up workday
    (date(2026, 9, 25), False),   # Fri, Mid-Autumn Festival
    (date(2026, 9, 30), True),    # Wed
    (date(2026, 10, 4), False),   # Sun inside the holiday
    (date(2026, 10, 8), True),    # Thu, back to work
    (date(2026, 10, 10), True),   # Sat, make-up workday
    (date(2026, 10, 11), False),  # Sun
    (date(2026, 10, 12), True),   # Mon
])
def test_is_business_day_around_national_day(day, expected):
    assert is_business_day(day) is expected


def test_make_up_sunday_and_mid_autumn():
    assert add_business_days(date(2026, 9, 18), 1) == date(2026, 9, 20)  # Sat off, Sun a workday
    assert add_business_days(date(2026, 9, 24), 1) == date(2026, 9, 28)  # Fri Mid-Autumn, then the weekend


def test_count_business_days_across_national_day():
    assert count_business_days(SEP_30_2026, date(2026, 10, 7)) == 0
    assert count_business_days(SEP_30_2026, date(2026, 10, 10)) == 3
    assert count_business_days(SEP_30_2026, date(2026, 10, 11)) == 3
    # September 2026: 22 weekdays − Mid-Autumn + make-up Sunday = 22.
    assert count_business_days(date(2026, 8, 31), SEP_30_2026) == 22
    # October 2026: 22 weekdays − 5 weekday holidays + make-up Saturday = 18.
    assert count_business_days(SEP_30_2026, date(2026, 10, 31)) == 18


def test_count_business_days_is_zero_unless_end_is_after_start():
    assert count_business_days(SEP_30_2026, SEP_30_2026) == 0
    assert count_business_days(date(2026, 10, 12), SEP_30_2026) == 0
    assert count_business_days(SEP_30_2026, date(2026, 10, 1)) == 0  # (start, end]: start itself not counted
    assert count_business_days(date(2026, 10, 7), date(2026, 10, 8)) == 1


# ---------------------------------------------------------------- Spring Festival 2027


def test_spring_festival_2027():
    assert is_business_day(FEB_04_2027)
    assert [d for d in days(date(2027, 2, 5), date(2027, 2, 10)) if is_business_day(d)] == []
    assert is_business_day(date(2027, 2, 11))
    assert not is_business_day(date(2027, 2, 13))  # Sat: no make-up workday in the package for 2027
    assert add_business_days(FEB_04_2027, 1) == date(2027, 2, 11)
    assert add_business_days(FEB_04_2027, 2) == date(2027, 2, 12)
    assert add_business_days(FEB_04_2027, 3) == date(2027, 2, 15)
    # Feb 11, 12, 15–19, 22–26.
    assert count_business_days(FEB_04_2027, date(2027, 2, 28)) == 12


def test_official_make_up_day_added_for_2027_counts():
    # When the State Council notice names a make-up Saturday the package lacks, operators add it.
    assert add_business_days(date(2027, 2, 19), 1) == date(2027, 2, 22)
    workday(date(2027, 2, 20))
    assert is_business_day(date(2027, 2, 20))
    assert add_business_days(date(2027, 2, 19), 1) == date(2027, 2, 20)
    assert count_business_days(FEB_04_2027, date(2027, 2, 28)) == 13


# ---------------------------------------------------------------- n < 1


@pytest.mark.parametrize("n", [0, -1, -10])
def test_add_business_days_needs_n_of_at_least_one(n):
    with pytest.raises(ValueError, match="n must be at least 1"):
        add_business_days(SEP_30_2026, n)


# ---------------------------------------------------------------- CalendarException overrides


def test_workday_row_makes_a_sunday_a_business_day():
    sunday = date(2026, 10, 11)
    assert not is_business_day(sunday)
    assert add_business_days(date(2026, 10, 10), 1) == date(2026, 10, 12)
    workday(sunday)
    assert is_business_day(sunday)
    assert add_business_days(date(2026, 10, 10), 1) == sunday
    assert count_business_days(date(2026, 10, 9), date(2026, 10, 12)) == 3  # Sat, Sun, Mon


def test_day_off_row_makes_a_wednesday_not_a_business_day():
    wednesday = date(2026, 10, 14)
    assert is_business_day(wednesday)
    day_off(wednesday)
    assert not is_business_day(wednesday)
    assert add_business_days(date(2026, 10, 13), 1) == date(2026, 10, 15)
    assert count_business_days(date(2026, 10, 12), date(2026, 10, 16)) == 3  # Oct 13, 15, 16


def test_overrides_beat_the_package_both_ways():
    day_off(date(2026, 10, 10))  # the package's make-up Saturday
    workday(date(2026, 10, 5))  # a package holiday
    assert not is_business_day(date(2026, 10, 10))
    assert is_business_day(date(2026, 10, 5))
    # From Sep 30: Oct 5, 8, 9, then Oct 12 since Oct 10 is now off.
    assert add_business_days(SEP_30_2026, 4) == date(2026, 10, 12)
    assert count_business_days(SEP_30_2026, date(2026, 10, 12)) == 4


def test_override_rows_elsewhere_change_nothing():
    day_off(date(2026, 12, 2))
    workday(date(2026, 9, 27))  # before the start date
    assert add_business_days(SEP_30_2026, 3) == date(2026, 10, 10)
    assert count_business_days(SEP_30_2026, date(2026, 10, 31)) == 18


# ---------------------------------------------------------------- properties


def step_by_step(start, n):
    """Independent oracle: walk day by day asking is_business_day."""
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        counted += is_business_day(day)
    return day


PROPERTY_SETTINGS = settings(max_examples=150, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
starts = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@PROPERTY_SETTINGS
@given(start=starts, n=st.integers(1, 40))
def test_count_inverts_add(start, n):
    end = add_business_days(start, n)
    assert end > start
    assert is_business_day(end)
    assert count_business_days(start, end) == n
    assert count_business_days(start, end - timedelta(days=1)) == n - 1
    assert end == step_by_step(start, n)


@PROPERTY_SETTINGS
@given(
    start=starts,
    n=st.integers(1, 20),
    overrides=st.dictionaries(st.integers(1, 45), st.sampled_from(CalendarException.Kind.values), max_size=3),
)
def test_count_inverts_add_with_overrides(start, n, overrides):
    CalendarException.objects.all().delete()  # examples share one transaction
    for offset, kind in overrides.items():
        CalendarException.objects.create(date=start + timedelta(days=offset), kind=kind)
    end = add_business_days(start, n)
    assert count_business_days(start, end) == n
    assert is_business_day(end)
    assert end == step_by_step(start, n)


# ---------------------------------------------------------------- expected_release_on

RELEASE_FROM_SEP_30_2026 = {
    Freeze.Reason.NORMAL_REFUND: date(2026, 10, 10),   # 3 business days: Oct 8, 9, 10
    Freeze.Reason.PARTIAL_REFUND: date(2026, 10, 27),  # 15: Oct 8, 9, 10, 12–16, 19–23, 26, 27
    Freeze.Reason.ABNORMAL: None,                      # a person decides: no date is promised
    Freeze.Reason.ROUTINE_RISK: date(2026, 10, 7),     # 7 calendar days, holiday or not
    Freeze.Reason.MALICIOUS: None,                     # only an appeal lifts it
}


def test_every_freeze_reason_has_an_expected_rule():
    assert set(RELEASE_FROM_SEP_30_2026) == set(Freeze.Reason.values)


@pytest.mark.parametrize("reason, expected", RELEASE_FROM_SEP_30_2026.items())
def test_expected_release_on_across_national_day(reason, expected):
    assert freeze_dates.expected_release_on(reason=reason, frozen_on=SEP_30_2026) == expected


@pytest.mark.parametrize("reason, expected", [
    (Freeze.Reason.NORMAL_REFUND, date(2027, 2, 15)),   # Feb 11, 12, 15
    (Freeze.Reason.PARTIAL_REFUND, date(2027, 3, 3)),   # Feb 11, 12, 15–19, 22–26, Mar 1–3
    (Freeze.Reason.ABNORMAL, None),
    (Freeze.Reason.ROUTINE_RISK, date(2027, 2, 11)),
    (Freeze.Reason.MALICIOUS, None),
])
def test_expected_release_on_across_spring_festival(reason, expected):
    assert freeze_dates.expected_release_on(reason=reason, frozen_on=FEB_04_2027) == expected


def test_expected_release_on_follows_calendar_exceptions():
    day_off(date(2026, 10, 9))
    assert freeze_dates.expected_release_on(reason=Freeze.Reason.NORMAL_REFUND, frozen_on=SEP_30_2026) == date(
        2026, 10, 12)
    # Calendar days for routine risk are untouched by the business calendar.
    assert freeze_dates.expected_release_on(reason=Freeze.Reason.ROUTINE_RISK, frozen_on=SEP_30_2026) == date(
        2026, 10, 7)
