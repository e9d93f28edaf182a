"""Periodic schedules through app/schedules/services.py: expansion, horizon, edits."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.notify.models import Notification
from app.schedules import services
from app.schedules.models import ReceptionSession
from app.schedules.working_days import add_holiday_override
from app.timeutil import local_today, to_local, utcnow
from sessions.errors import CoreError as OverlapError
from sessions.errors import CoreError as ValidationFailed
from tests.schedules.helpers import add_session, body, fixed_body

TET_2027 = ("FREQ=MONTHLY;BYDAY=2TU", date(2027, 1, 1), date(2027, 3, 31))
LABOUR_2027 = ("FREQ=WEEKLY;BYDAY=MO", date(2027, 4, 26), date(2027, 5, 10))
MAKEUP_2026 = ("FREQ=WEEKLY;BYDAY=SA", date(2026, 8, 1), date(2026, 8, 31))
TET_2028 = ("FREQ=MONTHLY;BYDAY=4TU", date(2028, 1, 1), date(2028, 2, 29))


def preview_days(place, rule, policy):
    occurrences, _warnings = services.preview_schedule(fixed_body(place, *rule, policy=policy))
    return [(to_local(o.starts_at).date(), o.shifted_from) for o in occurrences]


@pytest.mark.parametrize(("rule", "policy", "expected"), [
    # The second Tuesday of February 2027 is the 4th day of Tết: moved to Thursday 11/2.
    (TET_2027, "shift", [(date(2027, 1, 12), None), (date(2027, 2, 11), date(2027, 2, 9)),
                         (date(2027, 3, 9), None)]),
    (TET_2027, "skip", [(date(2027, 1, 12), None), (date(2027, 3, 9), None)]),
    # Labour Day 2027 falls on a Saturday: Monday 3/5 is the day off in lieu.
    (LABOUR_2027, "shift", [(date(2027, 4, 26), None), (date(2027, 5, 4), date(2027, 5, 3)),
                            (date(2027, 5, 10), None)]),
    # Saturday 22/08/2026 is a make-up working day, the other Saturdays are not.
    (MAKEUP_2026, "skip", [(date(2026, 8, 22), None)]),
    (TET_2028, "shift", [(date(2028, 1, 31), date(2028, 1, 25)), (date(2028, 2, 22), None)]),
])
def test_holidays_are_avoided(place, rule, policy, expected):
    assert preview_days(place, rule, policy) == expected


def test_an_admin_day_off_moves_a_session(place):
    rule = ("FREQ=MONTHLY;BYDAY=3TU", date(2028, 3, 1), date(2028, 3, 31))
    assert preview_days(place, rule, "shift") == [(date(2028, 3, 21), None)]
    add_holiday_override({"day": "2028-03-21", "kind": "off", "name": "Nghỉ bầu cử"}, None)
    assert preview_days(place, rule, "shift") == [(date(2028, 3, 22), date(2028, 3, 21))]


def test_an_admin_make_up_day_is_a_working_day(place):
    rule = ("FREQ=WEEKLY;BYDAY=SA", date(2028, 6, 1), date(2028, 6, 30))
    add_holiday_override({"day": "2028-06-10", "kind": "work"}, None)
    assert preview_days(place, rule, "skip") == [(date(2028, 6, 10), None)]


def test_create_generates_dated_sessions_at_local_time(place):
    schedule, _warnings = services.create_schedule(body(place), place.secretary)
    sessions = schedule.sessions
    assert 11 <= len(sessions) <= 13
    for reception in sessions:
        local = to_local(reception.starts_at)
        assert (local.hour, local.minute, local.weekday()) == (8, 0, 1) or reception.shifted_from
        assert reception.ends_at - reception.starts_at == timedelta(minutes=210)
        assert reception.kind == "periodic" and reception.published_at <= utcnow()
        assert reception.origin_date == (reception.shifted_from or local.date())


def test_generation_stops_at_the_horizon(app, place):
    app.config["SCHEDULE_HORIZON_DAYS"] = 60
    schedule, _warnings = services.create_schedule(body(place), place.secretary)
    last = max(to_local(r.starts_at).date() for r in schedule.sessions)
    assert last <= local_today() + timedelta(days=60)
    assert schedule.generated_until == local_today() + timedelta(days=60)


def test_the_demo_schedules_are_quick(place):
    started = time.perf_counter()
    services.create_schedule(body(place), None)
    services.create_schedule(body(place, unit_code=place.commune.code,
                                  host_id=place.commune_chairman.id,
                                  rrule="FREQ=MONTHLY;BYDAY=2WE,4WE"), None)
    assert time.perf_counter() - started < 1.0


def test_an_overlapping_schedule_is_refused(place):
    services.create_schedule(body(place), place.secretary)
    with pytest.raises(OverlapError):
        services.create_schedule(body(place, start_time="10:00"), place.secretary)


def test_a_commune_below_two_days_a_month_is_warned(place):
    _schedule, warnings = services.create_schedule(body(
        place, unit_code=place.commune.code, host_id=place.commune_chairman.id,
        rrule="FREQ=MONTHLY;BYDAY=2WE"), place.secretary)
    assert "below_minimum" in {w.code for w in warnings}


def test_a_session_published_late_is_warned(place):
    first = local_today() + timedelta(days=1)
    _schedule, warnings = services.create_schedule(body(
        place, rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", valid_from=first.isoformat(),
        valid_until=(first + timedelta(days=30)).isoformat()), place.secretary)
    assert "late_publication" in {w.code for w in warnings}


@pytest.mark.parametrize(("field", "value"), [
    ("unit_code", "99999"), ("host_id", "abc"), ("duration_minutes", "abc"),
    ("rrule", "FREQ=SECONDLY"), ("slot_minutes", 400)])
def test_invalid_values_name_their_field(place, make, field, value):
    with pytest.raises(ValidationFailed) as caught:
        services.create_schedule(body(place, **{field: value}), place.secretary)
    assert field in caught.value.errors


def test_a_host_of_another_unit_is_refused(place):
    with pytest.raises(ValidationFailed) as caught:
        services.create_schedule(body(place, host_id=place.commune_chairman.id), None)
    assert set(caught.value.errors) == {"host_id"}


def test_editing_regenerates_future_sessions_without_bookings(place):
    schedule, _ = services.create_schedule(body(place), place.secretary)
    past = add_session(place.province, place.chairman, local_today() - timedelta(days=20),
                       schedule_id=schedule.id, origin_date=local_today() - timedelta(days=20))
    ids = {r.id for r in schedule.sessions if r.id != past.id}
    services.update_schedule(schedule, body(place, start_time="14:00"), place.secretary)
    db.session.expire_all()
    future = [r for r in schedule.sessions if r.id != past.id]
    assert {r.id for r in future} == ids
    assert all(to_local(r.starts_at).hour == 14 and r.sequence == 1 for r in future)
    assert all(r.previous_starts_at is None for r in future)
    assert to_local(past.starts_at).hour == 8 and past.sequence == 0


def test_a_booked_session_moves_with_notice(place, make):
    schedule, _ = services.create_schedule(body(place), place.secretary)
    booked = schedule.sessions[0]
    old_start = booked.starts_at
    citizen = make.make_user()
    booking = make.make_booking(booked, citizen, slot_index=3)
    services.update_schedule(schedule, body(place, rrule="FREQ=MONTHLY;BYDAY=3WE"),
                             place.secretary)
    db.session.expire_all()
    assert to_local(booked.starts_at).weekday() == 2
    assert booked.previous_starts_at == old_start and booked.sequence == 1
    assert booking.slot_start == booked.starts_at + timedelta(minutes=60)
    assert all(to_local(r.starts_at).weekday() == 2 or r.shifted_from
               for r in schedule.sessions)  # the bookless ones were regenerated
    notices = db.session.scalars(select(Notification).where(
        Notification.user_id == citizen.id, Notification.kind == "session_rescheduled",
        Notification.channel == "email")).all()
    assert notices and "dời" in notices[0].body


def test_a_shorter_session_gives_bookings_the_first_free_slots(place, make):
    schedule, _ = services.create_schedule(body(place), place.secretary)
    reception = schedule.sessions[0]
    first = make.make_booking(reception, make.make_user(), slot_index=0)
    last = make.make_booking(reception, make.make_user(), slot_index=9)
    services.update_schedule(schedule, body(place, duration_minutes=60), place.secretary)
    db.session.expire_all()
    assert first.slot_start == reception.starts_at
    assert last.slot_start == reception.starts_at + timedelta(minutes=20)


def test_stopping_keeps_booked_sessions(place, make):
    schedule, _ = services.create_schedule(body(place), place.secretary)
    booked = schedule.sessions[1]
    make.make_booking(booked, make.make_user())
    notices = services.deactivate_schedule(schedule, place.secretary)
    db.session.expire_all()
    assert [r.id for r in schedule.sessions] == [booked.id]
    assert [n.code for n in notices] == ["kept_with_bookings"] and not schedule.is_active


def test_a_new_day_off_moves_generated_sessions(place):
    schedule, _ = services.create_schedule(body(place), place.secretary)
    reception = schedule.sessions[0]
    day = to_local(reception.starts_at).date()
    add_holiday_override({"day": day.isoformat(), "kind": "off"}, None)
    db.session.expire_all()
    assert to_local(reception.starts_at).date() > day
    assert reception.shifted_from == day
    assert db.session.scalar(select(func.count(ReceptionSession.id))) == len(schedule.sessions)


def test_work_calendar_follows_the_overrides(place):
    assert services.work_calendar().is_working_day(date(2029, 3, 6))
    add_holiday_override({"day": "2029-03-06", "kind": "off"}, None)
    assert not services.work_calendar().is_working_day(date(2029, 3, 6))
