"""A reception scene shared by the booking tests: a unit, its staff, a session, citizens."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.bookings.models import Attachment, Booking, BookingEvent, IdempotencyKey, Rating, SlotHold
from app.extensions import db
from app.notify.models import Notification
from app.timeutil import iso_local

COUNTED = (Booking, BookingEvent, SlotHold, IdempotencyKey, Attachment, Rating, Notification)


@dataclass
class Scene:
    """A province unit with host and secretary, an online session and two citizens."""

    unit: object
    host: object
    secretary: object
    reception: object
    citizen: object
    other_citizen: object


def build_scene(make, **reception_options) -> Scene:
    """Create the scene (flushed; the api helper commits before each request)."""
    unit = make.make_unit()
    host = make.make_user("host", unit=unit, full_name="Chủ Tịch Tỉnh")
    secretary = make.make_user("secretary", unit=unit)
    reception = make.make_reception(unit, host, **reception_options)
    citizen = make.make_user(full_name="Nguyễn Văn An", phone="+84912345678",
                             cccd="008190004321")
    return Scene(unit, host, secretary, reception, citizen, make.make_user())


def body(reception, slot_index: int | None = 0, **overrides) -> dict:
    """A valid POST /bookings body for ``reception`` (first slot unless told)."""
    from datetime import timedelta

    data = {"session_id": reception.id,
            "matter": {"type": "kien_nghi", "field": "dat_dai",
                       "summary": "Đề nghị cấp giấy chứng nhận quyền sử dụng đất."},
            "consents": {"recording": True}}
    if slot_index is not None:
        start = reception.starts_at + timedelta(minutes=slot_index * reception.slot_minutes)
        data["slot_start"] = iso_local(start)
    data.update(overrides)
    return data


def row_counts() -> dict[str, int]:
    """How many rows each booking-related table holds (to prove nothing was written)."""
    db.session.expire_all()
    counts = {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
              for m in COUNTED}
    return counts


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def notifications(kind: str | None = None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))
