"""The rolling horizon job (app/schedules/jobs.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.schedules import services
from app.schedules.jobs import extend_horizons
from app.schedules.models import ReceptionSession
from app.timeutil import local_today
from tests.schedules.helpers import body


def count() -> int:
    return db.session.scalar(select(func.count(ReceptionSession.id)))


def test_extending_twice_creates_nothing_twice(app, place):
    app.config["SCHEDULE_HORIZON_DAYS"] = 45
    schedule, _ = services.create_schedule(body(place, rrule="FREQ=WEEKLY;BYDAY=TU"), None)
    first = count()
    app.config["SCHEDULE_HORIZON_DAYS"] = 400
    created = extend_horizons()
    assert created > 40 and count() == first + created
    assert extend_horizons() == 0 and count() == first + created
    assert schedule.generated_until == min(schedule.valid_until,
                                           local_today() + timedelta(days=400))


def test_a_forgotten_generated_until_creates_no_duplicate(app, place):
    schedule, _ = services.create_schedule(body(place), None)
    before = count()
    schedule.generated_until = None  # as if another process had not recorded its run
    db.session.flush()
    assert extend_horizons() == 0 and count() == before


def test_stopped_schedules_are_not_extended(app, place):
    app.config["SCHEDULE_HORIZON_DAYS"] = 45
    schedule, _ = services.create_schedule(body(place), None)
    services.deactivate_schedule(schedule, None)
    app.config["SCHEDULE_HORIZON_DAYS"] = 400
    assert extend_horizons() == 0
