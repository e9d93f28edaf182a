"""One application and one world per backend for the security tests (module scope).

The world: a province unit with an agency; one account per role at that unit (the host
hosts the sessions, the officer belongs to the agency, the citizen owns the bookings);
a session whose live room is open now, bookings, a task, schedules, a holiday, and a
spare citizen for the administrator's account actions.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest

from app.security.rules import ROLES
from tests import factories as make
from tests.conftest import _empty_tables, testing_app


@pytest.fixture(scope="module")
def secured(database_url, tmp_path_factory):
    """(app, world) shared by the tests of a module; the tables are emptied afterwards."""
    from app.extensions import db

    app = testing_app(database_url, str(tmp_path_factory.mktemp("uploads")))
    ctx = app.app_context()
    ctx.push()
    try:
        world = build_world()
        db.session.commit()
        yield app, world
    finally:
        db.session.rollback()
        db.session.remove()
        _empty_tables(db)
        db.engine.dispose()
        ctx.pop()


def build_world() -> SimpleNamespace:
    from app.extensions import db
    from app.schedules.models import HolidayOverride, Schedule
    from app.tasks.models import Task
    from app.timeutil import utcnow

    unit = make.make_unit(name="Tỉnh Kiểm Thử")
    agency = make.make_agency(unit)
    users = {role: make.make_user(role, unit=unit, agency=agency if role == "officer" else None,
                                  full_name=f"Người {role}")
             for role in ROLES}
    spare = make.make_user("citizen", full_name="Công Dân Dự Phòng")
    spare_role = make.make_user("inspector", unit=unit).roles[0]
    reception = make.make_reception(unit, users["host"], starts_in_minutes=30,
                                    duration_minutes=240)
    other = make.make_reception(unit, users["host"], starts_in_minutes=60 * 24 * 20)
    booking = make.make_booking(reception, users["citizen"], slot_index=0)
    from app.points.models import ReceptionPoint

    point = ReceptionPoint(code="KT-XA1", unit_id=unit.id, name="Điểm cầu xã Kiểm Thử",
                           address="UBND xã Kiểm Thử", kind="satellite")
    db.session.add(point)
    db.session.flush()
    users["operator"].roles[0].point_id = point.id
    point_booking = make.make_booking(reception, make.make_user("citizen"), slot_index=4,
                                      point_id=point.id)
    to_cancel = make.make_booking(reception, users["citizen"], slot_index=1)
    denouncer = make.make_user("citizen", full_name="Lê Văn Tố", cccd="001090012345",
                               address="12 phố Hàng Bạc", phone="+84987654321",
                               email="le.van.to@example.test")
    denounced = make.make_booking(reception, denouncer, slot_index=2,
                                  matter_type="to_cao", matter_field="can_bo",
                                  consent_denunciation_risk_at=utcnow(), group_size=2,
                                  representatives='[{"full_name": "Trần Thị Đại Diện", '
                                                  '"phone": "+84912345670"}]')
    from app.bookings.models import Attachment

    attachment = Attachment(booking_id=denounced.id, filename="don-cua-Le-Van-To.pdf",
                            stored_name="world-denounced.pdf", content_type="application/pdf",
                            size=10, sha256="0" * 64, uploaded_by_id=denouncer.id)
    task = Task(booking_id=booking.id, agency_id=agency.id, description="Kiểm tra hồ sơ",
                due_date=date.today() + timedelta(days=10), created_by_id=users["secretary"].id)
    schedules = [Schedule(unit_id=unit.id, host_id=users["host"].id,
                          rrule="FREQ=MONTHLY;BYMONTHDAY=15", start_time=time(8, 0),
                          duration_minutes=120, slot_minutes=20, mode="online",
                          valid_from=date.today(), valid_until=date.today() + timedelta(days=300),
                          holiday_policy="skip", created_by_id=users["secretary"].id)
                 for _ in range(2)]
    holiday = HolidayOverride(day=date(date.today().year + 1, 3, 3), kind="off", name="Nghỉ",
                              created_by_id=users["admin"].id)
    denounced_task = Task(booking_id=denounced.id, agency_id=agency.id,
                          description="Xác minh nội dung tố cáo",
                          due_date=date.today() + timedelta(days=10),
                          created_by_id=users["secretary"].id)
    db.session.add_all([task, denounced_task, *schedules, holiday, attachment])
    db.session.flush()
    return SimpleNamespace(unit=unit, agency=agency, users=users, spare=spare,
                           spare_role=spare_role, reception=reception, other=other,
                           booking=booking, to_cancel=to_cancel, task=task,
                           denouncer=denouncer, denounced=denounced,
                           denounced_task=denounced_task,
                           schedule=schedules[0], schedule_to_stop=schedules[1],
                           holiday=holiday, point=point, point_booking=point_booking,
                           now=utcnow())
