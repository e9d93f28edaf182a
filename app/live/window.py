"""When a live room is open, and the queue rule it runs by (CONTRACT §5)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sessions.errors import N_, CoreError
from sessions.queue import QueueRule

from ..extensions import db
from ..schedules.models import ReceptionSession, SessionStatus

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
    closes = reception.ends_at + (OVERRUN if reception.status == SessionStatus.LIVE
                                  else timedelta(0))
    return opens, closes


def is_room_open(reception: ReceptionSession, now: datetime) -> bool:
    """Whether the live room accepts joins and host actions at ``now`` (naive UTC)."""
    if reception.status in (SessionStatus.HELD, SessionStatus.CANCELLED):
        return False
    opens, closes = room_window(reception)
    return opens <= now < closes


def require_open(reception: ReceptionSession, now: datetime) -> None:
    """Raise ``room_closed`` unless the room is open."""
    if not is_room_open(reception, now):
        raise CoreError("room_closed", N_("Phòng tiếp chưa mở hoặc đã đóng: phòng mở trước "
                                          "giờ bắt đầu 60 phút và đóng khi buổi tiếp kết thúc."))
