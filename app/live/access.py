"""Who may enter a live room, as what, and when the room is open (CONTRACT §5)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from sessions.errors import N_, CoreError
from sessions.queue import QueueRule

from ..auth.access import has_unit_role
from ..bookings.access import is_acting_host
from ..bookings.models import Booking
from ..extensions import db
from ..schedules.models import ReceptionSession

ROLES = ("citizen", "host", "secretary", "display")
# After the host opened the room (status "live") it stays open past the planned end
# until the host closes it, for at most this long: nobody is cut off mid-queue.
OVERRUN = timedelta(hours=4)


def get_reception(session_id: int) -> ReceptionSession | None:
    """The reception session, or None."""
    return db.session.get(ReceptionSession, session_id)


def queue_rule(reception: ReceptionSession) -> QueueRule:
    """The queue rule of the session's unit (its priority jump; defaults otherwise)."""
    try:
        return QueueRule(priority_jump=reception.unit.priority_jump)
    except CoreError:
        return QueueRule()


def room_window(reception: ReceptionSession) -> tuple[datetime, datetime]:
    """(opens, closes) as naive UTC: one hour before the start until the end."""
    opens = reception.starts_at - timedelta(minutes=queue_rule(reception).checkin_opens_minutes)
    closes = reception.ends_at + (OVERRUN if reception.status == "live" else timedelta(0))
    return opens, closes


def is_room_open(reception: ReceptionSession, now: datetime) -> bool:
    """Whether the live room accepts joins and host actions at ``now`` (naive UTC)."""
    if reception.status in ("held", "cancelled"):
        return False
    opens, closes = room_window(reception)
    return opens <= now < closes


def require_open(reception: ReceptionSession, now: datetime) -> None:
    """Raise ``room_closed`` unless the room is open."""
    if not is_room_open(reception, now):
        raise CoreError("room_closed", N_("Phòng tiếp chưa mở hoặc đã đóng: phòng mở trước "
                                          "giờ bắt đầu 60 phút và đóng khi buổi tiếp kết thúc."))


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
ROOM_STATUSES = ("accepted", "served")


def citizen_bookings(reception: ReceptionSession, user) -> list[Booking]:
    """The user's bookings in this session that open the room, by slot."""
    if user is None:
        return []
    return list(db.session.scalars(
        select(Booking).where(Booking.session_id == reception.id,
                              Booking.citizen_id == user.id,
                              Booking.status.in_(ROOM_STATUSES))
        .order_by(Booking.slot_start.is_(None), Booking.slot_start, Booking.id)))


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
