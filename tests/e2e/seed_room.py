"""Prepare the database of the browser tests.

Run as ``python -m tests.e2e.seed_room`` with the server's environment; prints JSON
``{"password", "rooms": [{"session_id", "booking_id", "ticket", "host_email",
"citizen_email", "citizen_name", "host_name"}, ...], "demo": {...}}``: one online session
with one citizen per live-room test (so that the tests do not depend on each other's
order), and the demo data of ``flask seed-demo`` (CONTRACT §2, password ``demo1234``)
with three cases of the province's next session for the page checks (``demo``: ids).

The citizen of room ``POINT_ROOM`` joins from a reception point; its operator's e-mail is
the room's ``operator_email``.

``python -m tests.e2e.seed_room serve BOOKING_ID`` settles an accepted booking as
``served`` (what the live room does when the chairman ends the turn), for the journeys
whose reception session lies in the future.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta

from sqlalchemy import select

PASSWORD = "Mat-khau-e2e-2026"
ROOMS = 12
POINT_ROOM = 11  # the room whose citizen joins from a reception point (test_live_point.py)
WITHOUT_CONSENT = 6  # the index of the room whose citizen has not consented yet
#: Names for the people of the rooms (host, citizen), as they appear on screenshots.
NAMES = [("Phạm Quốc Hưng", "Trần Văn Minh"), ("Đặng Thị Lan", "Bùi Văn Tâm"),
         ("Võ Minh Tuấn", "Lương Thị Hạnh"), ("Mai Văn Phúc", "Đinh Thị Ngọc"),
         ("Hồ Thị Thanh", "Tạ Văn Lộc"), ("Chu Văn Khải", "Kiều Thị Vân"),
         ("Lâm Thị Hoài", "Phan Văn Đức")]


def main() -> None:
    """Seed ROOMS ad-hoc online sessions starting in ten minutes, with loginable people,
    and the demo data with its cases."""
    from app import create_app
    from app.auth.services import hash_password
    from app.extensions import db
    from app.loadfixture import seed_load
    from app.seed import seed_demo

    app = create_app()
    with app.app_context():
        password_hash = hash_password(PASSWORD)
        rooms = [_room(db, seeded["id"], password_hash, consent=i != WITHOUT_CONSENT,
                       names=NAMES[i % len(NAMES)])
                 for i, seeded in enumerate(seed_load(ROOMS, 1)["sessions"])]
        rooms[POINT_ROOM]["operator_email"] = _point(db, rooms[POINT_ROOM]["booking_id"],
                                                     password_hash)
        seed_demo()
        demo = _demo_cases(db, rooms[0]["session_id"])
        db.session.commit()
        print(json.dumps({"password": PASSWORD, "rooms": rooms, "demo": demo}))


def _room(db, session_id: int, password_hash: str, consent: bool,
          names: tuple[str, str]) -> dict:
    from app.bookings.models import Booking, SlotHold
    from app.live.models import QueueEntry
    from app.schedules.models import ReceptionSession

    reception = db.session.get(ReceptionSession, session_id)
    booking = db.session.scalar(select(Booking).where(Booking.session_id == reception.id))
    shift = timedelta(minutes=8)
    reception.starts_at += shift
    reception.ends_at += shift
    for hold in db.session.scalars(select(SlotHold).where(SlotHold.booking_id == booking.id)):
        hold.slot_start += shift
    booking.slot_start += shift
    if not consent:
        booking.consent_recording_at = None
    host, citizen = reception.hosted_by, booking.citizen
    for person, name in zip((host, citizen), names, strict=True):
        person.password_hash = password_hash
        person.full_name = name
    ticket = db.session.scalar(select(QueueEntry.ticket)
                               .where(QueueEntry.booking_id == booking.id))
    return {"session_id": reception.id, "booking_id": booking.id, "ticket": ticket,
            "host_email": host.email, "citizen_email": citizen.email,
            "citizen_name": citizen.full_name, "host_name": host.full_name}


def _point(db, booking_id: int, password_hash: str) -> str:
    """A satellite point of the booking's unit, its operator, and the booking joining from
    it; returns the operator's e-mail."""
    from app.auth.models import RoleAssignment, User
    from app.bookings.models import Booking
    from app.points.models import ReceptionPoint

    booking = db.session.get(Booking, booking_id)
    unit_id = booking.reception.unit_id
    point = ReceptionPoint(code=f"E2E-{booking_id}", unit_id=unit_id, name="Điểm cầu xã Thử",
                           address="UBND xã Thử", kind="satellite")
    db.session.add(point)
    db.session.flush()
    operator = User(email=f"diemcau{booking_id}@e2e.test", full_name="Ngô Văn Điểm",
                    phone=f"+8497{booking_id:07d}", password_hash=password_hash)
    operator.roles.append(RoleAssignment(role="operator", unit_id=unit_id, point_id=point.id))
    db.session.add(operator)
    booking.point_id = point.id
    db.session.flush()
    return operator.email


def _demo_cases(db, room_session_id: int) -> dict:
    """In the province's next session: an accepted case with minutes and a task for the
    SNNMT officer, a served case (to be rated) and a pending one (to be triaged). The
    demo secretary also serves the unit of the live rooms (its secretary console)."""
    from app.auth.models import RoleAssignment, User
    from app.minutes.services import save_minutes
    from app.schedules.models import ReceptionSession
    from app.seed import PROVINCE
    from app.tasks.services import create_task
    from app.timeutil import local_today, utcnow
    from app.units.services import unit_by_code
    from tests.factories import make_booking

    def person(email: str) -> User:
        return db.session.scalar(select(User).where(User.email == email))

    province = unit_by_code(PROVINCE)
    reception = db.session.scalar(
        select(ReceptionSession).where(ReceptionSession.unit_id == province.id,
                                       ReceptionSession.starts_at > utcnow())
        .order_by(ReceptionSession.starts_at).limit(1))
    secretary = person("thuky@demo.test")
    room_unit = db.session.get(ReceptionSession, room_session_id).unit_id
    secretary.roles.append(RoleAssignment(role="secretary", unit_id=room_unit))
    accepted = make_booking(reception, person("congdan1@demo.test"), slot_index=7,
                            summary="Đề nghị cấp giấy chứng nhận quyền sử dụng đất.")
    served = make_booking(reception, person("congdan2@demo.test"), slot_index=8,
                          status="served", summary="Phản ánh ô nhiễm tiếng ồn ban đêm.")
    pending = make_booking(reception, person("congdan3@demo.test"), slot_index=9,
                           status="pending", matter_type="khieu_nai",
                           summary="Khiếu nại quyết định thu hồi đất.")
    save_minutes(accepted, {"content": "Công dân trình bày việc chậm cấp giấy chứng nhận.",
                            "conclusion": "Giao Sở Nông nghiệp và Môi trường kiểm tra.",
                            "outcome": "thu_ly", "version": 0}, actor=secretary)
    task = create_task(accepted, {"agency_code": "SNNMT",
                                  "description": "Kiểm tra hồ sơ và trả lời công dân.",
                                  "due_date": (local_today() + timedelta(days=20)).isoformat()},
                       actor=secretary)
    db.session.flush()
    return {"session_id": reception.id, "accepted_id": accepted.id, "served_id": served.id,
            "pending_id": pending.id, "task_id": task.id,
            "tracking_code": accepted.tracking_code}


def serve(booking_id: int) -> None:
    """The chairman ends the turn of ``booking_id``: the booking becomes ``served``."""
    from app import create_app
    from app.bookings.models import Booking
    from app.bookings.slot_holds import change_status
    from app.extensions import db

    app = create_app()
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        change_status(booking, ("accepted",), "served", actor=booking.reception.hosted_by)
        db.session.commit()


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(int(sys.argv[2]))
    else:
        main()
