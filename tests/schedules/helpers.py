"""Shared set-ups for the schedules, calendar and their API tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.timeutil import local_today


@dataclass
class Place:
    """A province with one commune, their chairmen, a secretary and a deputy."""

    province: object
    commune: object
    chairman: object
    commune_chairman: object
    secretary: object
    deputy: object


def make_place(make) -> Place:
    """Province 08 with one commune (not 124: tests stay fast)."""
    province = make.make_unit("08", name="Tuyên Quang")
    commune = make.make_unit("02269", level="commune", parent=province, name="Xã Thượng Lâm")
    return Place(
        province=province, commune=commune,
        chairman=make.make_user("host", unit=province, full_name="Nguyễn Văn Sơn"),
        commune_chairman=make.make_user("host", unit=commune, full_name="Vũ Minh Quang"),
        secretary=make.make_user("secretary", unit=province, full_name="Đỗ Thị Thu"),
        deputy=make.make_user("deputy", unit=province, full_name="Trần Văn Phó"))


def body(place: Place, **overrides) -> dict:
    """A valid POST /schedules body for the province chairman, starting in two weeks."""
    start = local_today() + timedelta(days=14)
    data = {"unit_code": place.province.code, "host_id": place.chairman.id,
            "rrule": "FREQ=MONTHLY;BYDAY=3TU", "start_time": "08:00",
            "duration_minutes": 210, "slot_minutes": 20, "mode": "online",
            "valid_from": start.isoformat(),
            "valid_until": (start + timedelta(days=364)).isoformat(),
            "holiday_policy": "shift"}
    data.update(overrides)
    return data


def fixed_body(place: Place, rrule: str, first: date, last: date, policy="shift") -> dict:
    return body(place, rrule=rrule, valid_from=first.isoformat(), valid_until=last.isoformat(),
                holiday_policy=policy)


def add_session(unit, host, day: date, hour: int = 8, minutes: int = 210, **fields):
    """A session on a local ``day`` at ``hour`` (written directly, any date, past too)."""
    from datetime import datetime

    from app.extensions import db
    from app.schedules.models import ReceptionSession
    from app.timeutil import to_utc_naive

    starts = to_utc_naive(datetime(day.year, day.month, day.day, hour))
    values = {"kind": "periodic", "slot_minutes": 20, "mode": "online", "status": "scheduled"}
    values.update(fields)
    reception = ReceptionSession(unit_id=unit.id, host_id=host.id, starts_at=starts,
                                 ends_at=starts + timedelta(minutes=minutes), **values)
    db.session.add(reception)
    db.session.flush()
    return reception
