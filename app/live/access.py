"""Who may enter a live room, as what, and when the room is open (CONTRACT §5)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from sessions.errors import N_, CoreError
from sessions.queue import QueueRule

from ..auth.access import has_unit_role
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


def _holds_role_at(user, reception: ReceptionSession, *roles: str) -> bool:
    """An explicit role assignment at the session's unit or above (admin does not count)."""
    chain = set(reception.unit.ancestor_ids())
    return any(r.role in roles and r.unit_id in chain for r in user.roles)


def staff_role(user, reception: ReceptionSession) -> str | None:
    """``host`` (the host, the acting host, a deputy of the unit), ``secretary``, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.id in (reception.host_id, reception.acting_host_id):
        return "host"
    if _holds_role_at(user, reception, "deputy"):
        return "host"
    if has_unit_role(user, reception.unit, "secretary"):
        return "secretary"
    return None


def may_see_denouncer(user, reception: ReceptionSession) -> bool:
    """Only the host (the session's host or acting host, or a chairman of the unit), the
    session's secretaries and inspectors see a denouncer's name — the same rule as
    :func:`app.bookings.access.can_see_identity`; a deputy who is not the acting host
    of this session sees it masked."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.id in (reception.host_id, reception.acting_host_id):
        return True
    return _holds_role_at(user, reception, "host", "secretary", "inspector")


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
        if staff == "host" or staff == requested:
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
