"""Tests of sessions/recurrence.py: RRULE checks, holiday-aware expansion, parameters."""

from __future__ import annotations

from datetime import date, time, timedelta
from itertools import chain, pairwise
from zoneinfo import ZoneInfo

import pytest

from sessions.errors import CoreError
from sessions.recurrence import (
    Occurrence,
    ScheduleErrors,
    ScheduleParams,
    expand_schedule,
    rule_dates,
    validate_rrule,
    validate_schedule_params,
)
from sessions.workdays import WorkCalendar

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def expand(rrule, first, last, calendar, policy="shift", **kwargs) -> list[Occurrence]:
    """A 08:00–11:30 schedule, as in the demo data."""
    return expand_schedule(rrule, time(8, 0), 210, first, last, policy, calendar, **kwargs)


def days(occurrences) -> list[date]:
    return [o.starts_at.date() for o in occurrences]


def schedule_body(**overrides) -> dict:
    """A valid POST /schedules body (schedule fields only), with overrides."""
    body = {
        "rrule": "FREQ=MONTHLY;BYDAY=3TU", "start_time": "08:00", "duration_minutes": 210,
        "slot_minutes": 20, "valid_from": "2026-07-01", "valid_until": "2027-06-30",
        "holiday_policy": "shift", "mode": "online",
    }
    body.update(overrides)
    return body


# --- validate_rrule ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("FREQ=MONTHLY;BYDAY=3TU", "FREQ=MONTHLY;BYDAY=3TU"),
        ("RRULE:freq=monthly;byday=2we,4we;", "FREQ=MONTHLY;BYDAY=2WE,4WE"),
        (" BYDAY=TU ; FREQ=WEEKLY ; INTERVAL=2 ", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        # A UTC UNTIL at 17:00Z is midnight of the next local day.
        ("FREQ=MONTHLY;BYDAY=3TU;UNTIL=20271231T170000Z", "FREQ=MONTHLY;UNTIL=20280101;BYDAY=3TU"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
    ],
)
def test_validate_rrule_normalises(text, normalised):
    assert validate_rrule(text) == normalised


@pytest.mark.parametrize(
    "text",
    [
        None, 42, "", "   ", "garbage", "BYDAY=MO", "FREQ=HOURLY", "FREQ=MINUTELY;BYDAY=MO",
        "FREQ=SECONDLY", "FREQ=FORTNIGHTLY", "FREQ=MONTHLY;FOO=1", "FREQ=DAILY;BYHOUR=8",
        "DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "FREQ=MONTHLY;FREQ=WEEKLY",
        "FREQ=MONTHLY;BYDAY=9TU", "FREQ=MONTHLY;BYDAY=XX", "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=WEEKLY;INTERVAL=²", "FREQ=MONTHLY;COUNT=3;UNTIL=20271231",
        "FREQ=MONTHLY;UNTIL=2027", "FREQ=MONTHLY;UNTIL=20270230",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;BYMONTH=13",
        "FREQ=DAILY;BYDAY=MO;" + "BYMONTH=1;" * 60,
    ],
)
def test_validate_rrule_refuses(text):
    with pytest.raises(CoreError) as caught:
        validate_rrule(text)
    assert (caught.value.code, caught.value.field) == ("invalid_rrule", "rrule")


# --- expansion -----------------------------------------------------------------------

def test_demo_province_schedule_has_one_session_a_month(cal):
    occurrences = expand("FREQ=MONTHLY;BYDAY=3TU", date(2026, 7, 1), date(2027, 6, 30), cal)
    assert len(occurrences) == 12
    first = occurrences[0]
    assert first.starts_at.isoformat() == "2026-07-21T08:00:00+07:00"
    assert first.ends_at - first.starts_at == timedelta(hours=3, minutes=30)
    assert first.starts_at.tzinfo == HCM and first.shifted_from is None


@pytest.mark.parametrize(
    ("rrule", "month", "held_on", "instead_of"),
    [
        ("FREQ=MONTHLY;BYDAY=3TU", date(2027, 2, 1), date(2027, 2, 16), None),  # after Tết
        ("FREQ=MONTHLY;BYDAY=2TU", date(2027, 2, 1), date(2027, 2, 11), date(2027, 2, 9)),
        ("FREQ=MONTHLY;BYDAY=2WE", date(2027, 2, 1), date(2027, 2, 11), date(2027, 2, 10)),
        ("FREQ=MONTHLY;BYDAY=3TU", date(2026, 2, 1), date(2026, 2, 23), date(2026, 2, 17)),
        ("FREQ=MONTHLY;BYDAY=4WE", date(2028, 1, 1), date(2028, 1, 31), date(2028, 1, 26)),
        ("FREQ=MONTHLY;BYDAY=4MO", date(2026, 4, 1), date(2026, 4, 28), date(2026, 4, 27)),
        ("FREQ=MONTHLY;BYDAY=1MO", date(2027, 5, 1), date(2027, 5, 4), date(2027, 5, 3)),
        ("FREQ=MONTHLY;BYDAY=1TU", date(2026, 9, 1), date(2026, 9, 3), date(2026, 9, 1)),
        ("FREQ=MONTHLY;BYDAY=-1MO", date(2026, 8, 1), date(2026, 9, 3), date(2026, 8, 31)),
        ("FREQ=MONTHLY;BYDAY=4TU", date(2026, 11, 1), date(2026, 11, 25), date(2026, 11, 24)),
        ("FREQ=MONTHLY;BYDAY=1MO", date(2028, 1, 1), date(2028, 1, 4), date(2028, 1, 3)),
        ("FREQ=MONTHLY;BYDAY=1FR", date(2027, 9, 1), date(2027, 9, 6), date(2027, 9, 3)),
    ],
)
def test_shift_moves_a_holiday_to_the_next_working_day(cal, rrule, month, held_on, instead_of):
    first = expand(rrule, month, month + timedelta(days=40), cal)[0]
    assert first.starts_at.date() == held_on
    assert first.shifted_from == instead_of
    assert first.starts_at.time() == time(8, 0)


@pytest.mark.parametrize(
    ("rrule", "month", "holiday"),
    [
        ("FREQ=MONTHLY;BYDAY=2TU", date(2027, 2, 1), date(2027, 2, 9)),
        ("FREQ=MONTHLY;BYDAY=1MO", date(2027, 5, 1), date(2027, 5, 3)),
        ("FREQ=MONTHLY;BYDAY=4TU", date(2026, 11, 1), date(2026, 11, 24)),
        ("FREQ=MONTHLY;BYDAY=1MO", date(2028, 1, 1), date(2028, 1, 3)),
    ],
)
def test_skip_drops_the_holiday_that_shift_moves(cal, rrule, month, holiday):
    last = month + timedelta(days=27)
    assert expand(rrule, month, last, cal, policy="skip") == []
    assert expand(rrule, month, last, cal, policy="shift")[0].shifted_from == holiday


def test_only_the_make_up_saturday_is_kept_from_weekly_saturdays(cal):
    occurrences = expand("FREQ=WEEKLY;BYDAY=SA", date(2026, 8, 1), date(2026, 8, 31), cal,
                         policy="skip")
    assert days(occurrences) == [date(2026, 8, 22)]


def test_a_shifted_day_colliding_with_an_occurrence_is_dropped(cal):
    # 31/8, 1/9 and 2/9 are off: each would move to 3/9, which the rule holds already.
    occurrences = expand("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", date(2026, 8, 31),
                         date(2026, 9, 4), cal)
    assert days(occurrences) == [date(2026, 9, 3), date(2026, 9, 4)]
    assert all(o.shifted_from is None for o in occurrences)


def test_two_holidays_shifted_onto_one_day_give_one_session(cal):
    occurrences = expand("FREQ=MONTHLY;BYMONTHDAY=1,2", date(2026, 9, 1), date(2026, 9, 30), cal)
    assert [(o.starts_at.date(), o.shifted_from) for o in occurrences] == [
        (date(2026, 9, 3), date(2026, 9, 1))
    ]


def test_a_shift_past_the_validity_period_is_dropped(cal):
    # 3TU of February 2026 is in Tết and would move to Monday 23/2.
    assert expand("FREQ=MONTHLY;BYDAY=3TU", date(2026, 2, 1), date(2026, 2, 20), cal) == []


def test_an_admin_day_off_shifts_and_an_admin_make_up_day_holds():
    cal = WorkCalendar(days_off=[date(2027, 6, 15)], workdays=[date(2027, 6, 19)])
    tuesday = expand("FREQ=MONTHLY;BYDAY=3TU", date(2027, 6, 1), date(2027, 6, 30), cal)
    assert (tuesday[0].starts_at.date(), tuesday[0].shifted_from) == (
        date(2027, 6, 16), date(2027, 6, 15))
    saturday = expand("FREQ=MONTHLY;BYDAY=3SA", date(2027, 6, 1), date(2027, 6, 30), cal)
    assert days(saturday) == [date(2027, 6, 19)]


def test_window_keeps_sessions_shifted_into_it(cal):
    occurrences = expand("FREQ=MONTHLY;BYDAY=2WE,4WE", date(2026, 7, 1), date(2028, 6, 30), cal,
                         window=(date(2027, 2, 11), date(2027, 2, 28)))
    assert [(o.starts_at.date(), o.shifted_from) for o in occurrences] == [
        (date(2027, 2, 11), date(2027, 2, 10)), (date(2027, 2, 24), None)]


def test_rolling_windows_add_up_to_the_whole_expansion(cal):
    args = ("FREQ=MONTHLY;BYDAY=2WE,4WE", date(2026, 7, 1), date(2028, 6, 30), cal)
    whole = expand(*args)
    cuts = [date(2026, 7, 1), date(2027, 2, 11), date(2027, 11, 25), date(2028, 7, 1)]
    pieces = [expand(*args, window=(a, b - timedelta(days=1))) for a, b in pairwise(cuts)]
    assert list(chain.from_iterable(pieces)) == whole


@pytest.mark.parametrize(
    "rrule",
    ["FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=MONTHLY;BYMONTHDAY=1,2,3,30,31", "FREQ=DAILY"],
)
@pytest.mark.parametrize("year", [2026, 2027, 2028])
def test_results_are_sorted_working_days_without_duplicates(cal, rrule, year):
    found = days(expand(rrule, date(year, 1, 1), date(year, 12, 31), cal))
    assert found == sorted(set(found))
    assert all(cal.is_working_day(d) for d in found)


def test_interval_and_count_are_anchored_on_valid_from(cal):
    fortnightly = rule_dates("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", date(2027, 6, 3), date(2027, 8, 1))
    assert fortnightly == [date(2027, 6, 3) + timedelta(weeks=2 * i) for i in range(5)]
    counted = expand("FREQ=MONTHLY;BYDAY=3TU;COUNT=3", date(2026, 7, 1), date(2027, 6, 30), cal,
                     window=(date(2026, 9, 1), date(2027, 6, 30)))
    assert days(counted) == [date(2026, 9, 15)]


def test_until_in_the_rule_ends_the_schedule_early(cal):
    found = expand("FREQ=MONTHLY;BYDAY=3TU;UNTIL=20261031", date(2026, 7, 1), date(2027, 6, 30),
                   cal)
    assert days(found)[-1] == date(2026, 10, 20)
    assert len(found) == 4


def test_too_many_occurrences_are_refused(cal):
    with pytest.raises(CoreError) as caught:
        expand("FREQ=DAILY", date(2026, 1, 1), date(2026, 1, 31), cal, max_occurrences=30)
    assert (caught.value.code, caught.value.field) == ("too_many_sessions", "rrule")


def test_unknown_holiday_policy_is_refused(cal):
    with pytest.raises(CoreError) as caught:
        expand("FREQ=MONTHLY;BYDAY=3TU", date(2026, 7, 1), date(2026, 12, 31), cal,
               policy="move")
    assert caught.value.field == "holiday_policy"


# --- validate_schedule_params --------------------------------------------------------

def test_a_valid_body_is_parsed():
    params = validate_schedule_params(schedule_body(rrule="RRULE:freq=monthly;byday=3tu"))
    assert params == ScheduleParams(
        "FREQ=MONTHLY;BYDAY=3TU", time(8, 0), 210, 20, date(2026, 7, 1), date(2027, 6, 30),
        "shift", "online")


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"rrule": "FREQ=HOURLY"}, "rrule", "invalid_rrule"),
        ({"start_time": "8h"}, "start_time", "invalid_time"),
        ({"start_time": "24:00"}, "start_time", "invalid_time"),
        ({"duration_minutes": 0}, "duration_minutes", "invalid_duration"),
        ({"duration_minutes": True}, "duration_minutes", "invalid_minutes"),
        ({"duration_minutes": 30.5}, "duration_minutes", "invalid_minutes"),
        ({"start_time": "22:00", "duration_minutes": 120}, "duration_minutes", "ends_next_day"),
        ({"slot_minutes": 4}, "slot_minutes", "invalid_slot_minutes"),
        ({"slot_minutes": 211}, "slot_minutes", "invalid_slot_minutes"),
        ({"valid_from": "2026-02-30"}, "valid_from", "invalid_date"),
        ({"valid_until": "30/06/2027"}, "valid_until", "invalid_date"),
        ({"valid_until": "2026-06-30"}, "valid_until", "invalid_period"),
        ({"valid_until": "2031-07-01"}, "valid_until", "period_too_long"),
        ({"holiday_policy": "move"}, "holiday_policy", "invalid_holiday_policy"),
        ({"mode": "video"}, "mode", "invalid_mode"),
        ({"mode": None}, "mode", "required"),
        ({"rrule": "FREQ=DAILY", "valid_until": "2029-06-30"}, "rrule", "too_many_sessions"),
        ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"}, "rrule", "no_sessions"),
    ],
)
def test_each_bad_field_is_reported_under_its_name(overrides, field, code):
    with pytest.raises(ScheduleErrors) as caught:
        validate_schedule_params(schedule_body(**overrides))
    assert list(caught.value.errors) == [field]
    assert (caught.value.errors[field].code, caught.value.errors[field].field) == (code, field)


def test_all_field_errors_are_reported_at_once():
    body = {"rrule": "nope", "start_time": "8", "duration_minutes": -5, "slot_minutes": 2,
            "valid_from": "2026-07-01", "valid_until": "2026-01-01", "mode": "video"}
    with pytest.raises(ScheduleErrors) as caught:
        validate_schedule_params(body)
    assert caught.value.code == "validation_error"
    assert set(caught.value.messages()) == {
        "rrule", "start_time", "duration_minutes", "slot_minutes", "valid_until",
        "holiday_policy", "mode"}


def test_messages_are_translated_with_the_given_gettext():
    with pytest.raises(ScheduleErrors) as caught:
        validate_schedule_params(schedule_body(slot_minutes=1))
    english = {"Mỗi lượt tiếp dài từ {min} phút đến hết thời lượng buổi tiếp.":
               "A slot lasts from {min} minutes to the whole session."}
    messages = caught.value.messages(lambda text: english.get(text, text))
    assert messages == {"slot_minutes": "A slot lasts from 5 minutes to the whole session."}


def test_limits_are_inclusive():
    params = validate_schedule_params(schedule_body(
        rrule="FREQ=WEEKLY;BYDAY=MO", valid_until="2031-06-30", start_time="20:00",
        duration_minutes=239, slot_minutes=239))
    assert (params.valid_until, params.duration_minutes) == (date(2031, 6, 30), 239)


def test_validity_near_the_end_of_the_calendar_is_an_error_not_a_crash():
    from sessions.recurrence import ScheduleErrors, validate_schedule_params

    try:
        validate_schedule_params({
            "rrule": "FREQ=MONTHLY;BYDAY=3TU", "start_time": "08:00", "duration_minutes": 60,
            "slot_minutes": 20, "mode": "online", "valid_from": "9998-01-01",
            "valid_until": "9999-12-31", "holiday_policy": "shift"})
    except ScheduleErrors:
        pass
