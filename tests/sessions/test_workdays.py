"""Tests of sessions/workdays.py: Vietnamese holidays, make-up days and overrides."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sessions.errors import CoreError
from sessions.workdays import DEFAULT_DAY_OFF_NAME, WorkCalendar


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    """The calendar of the package alone, without overrides."""
    return WorkCalendar()


@pytest.mark.parametrize(
    ("day", "name_part"),
    [
        (date(2026, 1, 1), "Tết Dương lịch"),
        (date(2026, 2, 17), "Tết Nguyên Đán"),
        (date(2026, 4, 27), "Hùng Vương"),  # Hùng Kings fell on Sunday 26/4
        (date(2026, 8, 31), "22/08/2026"),  # swapped with Saturday 22/8
        (date(2026, 9, 1), "Quốc khánh"),
        (date(2026, 9, 2), "Quốc khánh"),
        (date(2026, 11, 24), "Văn hóa"),
        (date(2027, 2, 4), "29 Tết"),
        (date(2027, 2, 10), "Tết Nguyên Đán"),
        (date(2027, 5, 3), "Lao động"),  # Labour Day fell on Saturday 1/5
        (date(2027, 9, 3), "Quốc khánh"),
        (date(2028, 1, 3), "Tết Dương lịch"),  # New Year fell on Saturday
        (date(2028, 9, 4), "Quốc khánh"),  # 2/9 fell on Saturday
    ],
)
def test_weekday_holidays_are_not_working_days(cal, day, name_part):
    assert day.weekday() < 5
    assert cal.is_holiday(day)
    assert not cal.is_working_day(day)
    assert name_part in cal.holiday_name(day)


@pytest.mark.parametrize(
    "day",
    [date(2026, 4, 28), date(2026, 9, 3), date(2027, 2, 11), date(2027, 5, 4), date(2028, 1, 4)],
)
def test_days_after_holidays_are_working_days(cal, day):
    assert cal.is_working_day(day)
    assert cal.holiday_name(day) is None


def test_make_up_saturday_2026_08_22_is_a_working_day(cal):
    assert date(2026, 8, 22).weekday() == 5
    assert cal.is_working_day(date(2026, 8, 22))
    assert not cal.is_holiday(date(2026, 8, 22))


@pytest.mark.parametrize("day", [date(2026, 8, 29), date(2027, 5, 1), date(2028, 4, 30)])
def test_ordinary_weekends_are_not_working_days(cal, day):
    assert day.weekday() >= 5
    assert not cal.is_working_day(day)


def test_an_admin_day_off_wins_and_has_its_name():
    day = date(2027, 6, 15)
    cal = WorkCalendar(days_off=[day], names={day: "Nghỉ bầu cử"})
    assert cal.is_holiday(day)
    assert not cal.is_working_day(day)
    assert cal.holiday_name(day) == "Nghỉ bầu cử"


def test_an_admin_day_off_without_a_name_gets_the_default_name():
    cal = WorkCalendar(days_off=[date(2027, 6, 15)])
    assert cal.holiday_name(date(2027, 6, 15)) == DEFAULT_DAY_OFF_NAME


@pytest.mark.parametrize("day", [date(2027, 6, 19), date(2026, 11, 24)])
def test_an_admin_make_up_day_is_a_working_day(day):
    # A Saturday, and a package holiday the government later made a working day.
    cal = WorkCalendar(workdays=[day])
    assert cal.is_working_day(day)
    assert not cal.is_holiday(day)
    assert cal.holiday_name(day) is None


def test_the_same_day_cannot_be_both_off_and_working():
    with pytest.raises(CoreError) as caught:
        WorkCalendar(days_off=[date(2027, 6, 19)], workdays=[date(2027, 6, 19)])
    assert caught.value.code == "conflicting_override"


def test_datetimes_are_refused(cal):
    with pytest.raises(TypeError):
        cal.is_working_day(datetime(2026, 9, 2, 8, 0))


@pytest.mark.parametrize(
    ("day", "include_self", "expected"),
    [
        (date(2026, 8, 28), False, date(2026, 9, 3)),  # Fri → past the 2/9 holidays
        (date(2026, 8, 21), False, date(2026, 8, 22)),  # Fri → the make-up Saturday
        (date(2027, 2, 4), False, date(2027, 2, 11)),  # Tết 2027
        (date(2027, 4, 30), False, date(2027, 5, 4)),  # 30/4, weekend, 1/5 in lieu
        (date(2027, 5, 4), True, date(2027, 5, 4)),
        (date(2027, 5, 3), True, date(2027, 5, 4)),
    ],
)
def test_next_working_day(cal, day, include_self, expected):
    assert cal.next_working_day(day, include_self=include_self) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2026, 8, 26), 3, date(2026, 9, 3)),  # 27, 28, 3/9
        (date(2026, 9, 3), -5, date(2026, 8, 24)),  # 28, 27, 26, 25, 24
        (date(2027, 6, 14), 5, date(2027, 6, 21)),
        (date(2026, 8, 17), 5, date(2026, 8, 22)),  # counts the make-up Saturday
        (date(2027, 2, 3), 10, date(2027, 2, 24)),  # across Tết 2027
        (date(2028, 1, 20), 3, date(2028, 2, 1)),  # across Tết 2028
        (date(2027, 6, 16), 0, date(2027, 6, 16)),
    ],
)
def test_add_working_days(cal, day, n, expected):
    assert cal.add_working_days(day, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 8, 24), date(2026, 8, 28), 4),
        (date(2026, 8, 28), date(2026, 9, 4), 2),  # 31/8, 1/9, 2/9 off
        (date(2027, 2, 1), date(2027, 2, 28), 14),  # 19 weekdays after 1/2, 5 of them Tết
        (date(2026, 9, 4), date(2026, 8, 28), -2),  # 28/8 and 3/9
        (date(2027, 6, 16), date(2027, 6, 16), 0),
    ],
)
def test_working_days_between(cal, start, end, expected):
    assert cal.working_days_between(start, end) == expected


@pytest.mark.parametrize("n", [-12, -5, -1, 1, 5, 10])
def test_working_days_between_inverts_add_working_days(cal, n):
    start = date(2027, 2, 3)
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n
