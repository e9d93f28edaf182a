"""Who may enter a live room and as what (CONTRACT §5); when it is open is in :mod:`.window`."""

from __future__ import annotations

from sqlalchemy import select

from sessions.errors import N_, CoreError

from ..auth.access import has_unit_role
from ..bookings.access import is_acting_host
from ..bookings.models import Booking, BookingStatus
from ..extensions import db
from ..schedules.models import ReceptionSession

ROLES = ("citizen", "host", "secretary", "display")


def staff_role(user, reception: ReceptionSession) -> str | None:
    """``host`` for the one host acting in the session (app.bookings.access
    :func:`is_acting_host`), ``secretary`` for a secretary of the unit, else None.

    A deputy or chairman who is not the acting host does not work the session: the host
    role carries the citizen's face, voice and call signalling (CONTRACT §8).
    """
    if is_acting_host(user, reception):
        return "host"
    if user is not None and getattr(user, "is_authenticated", False) \
            and has_unit_role(user, reception.unit, "secretary"):
        return "secretary"
    return None


def resolve_role(user, reception: ReceptionSession, requested) -> str:
    """The role the joiner gets: ``as`` when allowed, else their best role."""
    if requested == "display":
        return "display"
    if requested not in (None, "citizen", "host", "secretary"):
        raise CoreError("bad_request", N_("Vai trò yêu cầu không hợp lệ."), field="as")
    if user is None:
        raise CoreError("unauthorized", N_("Bạn cần đăng nhập để vào phòng tiếp công dân."))
    staff = staff_role(user, reception)
    if requested in ("host", "secretary"):
        # The acting host may follow as secretary; nobody else becomes the host.
        if staff == requested or (staff == "host" and requested == "secretary"):
            return requested
        raise CoreError("forbidden", N_("Bạn không có quyền tham gia buổi tiếp này với vai "
                                        "trò cán bộ."))
    if requested is None and staff:
        return staff
    return "citizen"


#: Bookings whose citizen enters the room: accepted, or served (back after their turn,
#: they see its end and may rate the service).
ROOM_STATUSES = (BookingStatus.ACCEPTED, BookingStatus.SERVED)


def citizen_bookings(reception: ReceptionSession, user) -> list[Booking]:
    """The user's bookings in this session that open the room, by slot."""
    if user is None:
        return []
    return list(db.session.scalars(
        select(Booking).where(Booking.session_id == reception.id,
                              Booking.citizen_id == user.id,
                              Booking.status.in_(ROOM_STATUSES))
        .order_by(Booking.slot_start.is_(None), Booking.slot_start, Booking.id)))


def own_bookings(session_id: int, user) -> list[Booking]:
    """All the user's bookings in a session, whatever their status, latest first: what a
    citizen without a room booking is told about (never another person's booking)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(
        select(Booking).where(Booking.session_id == session_id, Booking.citizen_id == user.id)
        .order_by(Booking.id.desc())))


def require_citizen_bookings(reception: ReceptionSession, user,
                             booking_id: int | None = None) -> list[Booking]:
    """The bookings a citizen joins with: accepted, and consenting to the recording."""
    bookings = [b for b in citizen_bookings(reception, user)
                if booking_id is None or b.id == booking_id]
    if not bookings:
        raise CoreError("not_accepted", N_("Bạn không có lịch tiếp đã được tiếp nhận trong "
                                           "buổi tiếp này."))
    if any(b.consent_recording_at is None for b in bookings):
        raise CoreError("consent_required", N_("Buổi tiếp trực tuyến được ghi âm, ghi hình: "
                                               "bạn cần đồng ý trước khi vào phòng chờ."))
    return bookings
