"""Slot holds and status changes shared by every booking service.

A taken slot is a row of ``slot_holds``; its unique (session_id, slot_start)
constraint refuses a second one on SQLite and PostgreSQL alike. Each attempt is an
``INSERT ... ON CONFLICT DO NOTHING``: a refused insert leaves the transaction usable
(to try the next slot, or to answer 409).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from sessions.errors import N_, CoreError
from sessions.slots import slot_index

from ..extensions import db
from ..schedules.availability import held_starts, is_bookable, slot_starts
from ..schedules.models import ReceptionSession, SessionMode
from ..timeutil import utcnow
from . import errors as err
from .messages import notify_booking
from .models import OPEN_STATUSES, Booking, BookingEvent, BookingStatus, MatterType, SlotHold

ONLINE_MODES = (SessionMode.ONLINE, SessionMode.HYBRID)


def get_reception(session_id: int) -> ReceptionSession:
    """The session, or 404."""
    reception = db.session.get(ReceptionSession, session_id)
    if reception is None:
        raise err.not_found()
    return reception


def initial_status(reception: ReceptionSession) -> str:
    """``accepted`` for units that accept automatically, else ``pending``."""
    return BookingStatus.ACCEPTED if reception.unit.auto_accept else BookingStatus.PENDING


def consent_errors(reception: ReceptionSession, matter_type: str, recording: bool,
                   denunciation_risk: bool) -> dict[str, CoreError]:
    """Consents missing for this session (Decree 154 Arts 18, 20, 24)."""
    missing: dict[str, CoreError] = {}
    if reception.mode in ONLINE_MODES and not recording:
        missing["consents.recording"] = CoreError("consent_required", N_(
            "Buổi tiếp trực tuyến được ghi âm, ghi hình: bạn cần đồng ý trước khi đặt lịch."),
            field="consents.recording")
    if reception.mode in ONLINE_MODES and matter_type == MatterType.TO_CAO \
            and not denunciation_risk:
        missing["consents.online_denunciation_risk"] = CoreError("consent_required", N_(
            "Tố cáo trực tuyến chỉ được tiếp nhận khi bạn chấp nhận rằng việc giữ bí mật danh "
            "tính người tố cáo có thể không được bảo đảm tuyệt đối."),
            field="consents.online_denunciation_risk")
    return missing


def check_slot_start(reception: ReceptionSession, slot_start: datetime | None,
                     now: datetime) -> None:
    """422 unless ``slot_start`` begins a slot of the session that is still ahead."""
    if slot_start is None:
        return
    if slot_index(reception.starts_at, slot_start, reception.slot_minutes,
                  reception.ends_at) is None:
        raise err.invalid({"slot_start": CoreError("not_a_slot", N_(
            "Thời điểm này không phải là đầu một khung giờ của buổi tiếp."),
            field="slot_start")})
    if slot_start <= now:
        raise err.invalid({"slot_start": CoreError("slot_past", N_(
            "Khung giờ này đã qua."), field="slot_start")})


def free_slot_starts(reception: ReceptionSession, now: datetime) -> list[datetime]:
    """Slots still ahead that nobody holds, in order."""
    held = held_starts(reception.id)
    return [s for s in slot_starts(reception) if s > now and s not in held]


def _hold(booking: Booking, reception_id: int, start: datetime) -> bool:
    """Insert the hold; False when someone else holds the slot.

    ``ON CONFLICT DO NOTHING`` on the unique constraint: a taken slot inserts no row,
    and the transaction stays usable without a SAVEPOINT of its own (two round trips
    fewer per attempt). On PostgreSQL a hold inserted by a transaction not yet
    committed makes this one wait for it, then count as taken if it commits.
    """
    values = {"session_id": reception_id, "slot_start": start, "booking_id": booking.id}
    # The dialect's own INSERT (ON CONFLICT is not standard SQL), imported here: the
    # PostgreSQL dialect costs an embedded SQLite process 2.4 MB.
    if db.session.get_bind().dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    table = SlotHold.__table__
    inserted = db.session.scalar(insert(table).values(**values).on_conflict_do_nothing(
        index_elements=[table.c.session_id, table.c.slot_start]).returning(table.c.id))
    return inserted is not None


def take_slot(booking: Booking, reception: ReceptionSession, slot_start: datetime | None,
              now: datetime, candidates: list[datetime] | None = None) -> datetime | None:
    """Hold ``slot_start`` (409 slot_taken) or the first free slot (None when full).

    ``candidates`` are the free slots if the caller already looked them up.
    """
    if slot_start is not None:
        if not _hold(booking, reception.id, slot_start):
            raise err.slot_taken()
        return slot_start
    for start in free_slot_starts(reception, now) if candidates is None else candidates:
        if _hold(booking, reception.id, start):
            return start
    return None


def is_held(reception_id: int, slot_start: datetime) -> bool:
    return db.session.scalar(select(SlotHold.id).where(
        SlotHold.session_id == reception_id, SlotHold.slot_start == slot_start)) is not None


def change_status(booking: Booking, allowed_from: tuple[str, ...], new_status: str, *,
                  actor=None, note: str = "", event: bool = True, **values) -> None:
    """Move ``booking`` to ``new_status`` with a conditional UPDATE (409 if it moved).

    ``WHERE status IN allowed_from`` makes two concurrent changes (a double click, a
    job and a person) apply once: the second finds no row and gets invalid_state.
    Leaving the open statuses clears ``open_matter_key``. ``event=False`` writes no
    history entry (the status stays the same, e.g. a reschedule).
    """
    if new_status not in OPEN_STATUSES:
        values["open_matter_key"] = None
    result = db.session.execute(
        update(Booking).where(Booking.id == booking.id, Booking.status.in_(allowed_from))
        .values(status=new_status, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.expire(booking)
        raise err.invalid_state()
    if event:
        db.session.add(BookingEvent(booking_id=booking.id, status=new_status,
                                    actor_id=getattr(actor, "id", actor), note=note[:2000]))
        db.session.flush()
    db.session.expire(booking)


def release_slot(booking: Booking) -> bool:
    """Delete the booking's hold; True when it held one."""
    result = db.session.execute(SlotHold.__table__.delete()
                                .where(SlotHold.booking_id == booking.id))
    return result.rowcount > 0


def promote_waitlist(reception: ReceptionSession, now: datetime | None = None) -> list[Booking]:
    """Give free slots of the session to waitlisted bookings, oldest first.

    Runs in the caller's transaction, right after a slot was freed; each promoted
    citizen is notified. The event gets its slot's time and a new status: its SEQUENCE
    rises.
    """
    now = now or utcnow()
    if not is_bookable(reception, now):
        return []
    promoted = []
    waiting = list(db.session.scalars(
        select(Booking).where(Booking.session_id == reception.id,
                              Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.created_at, Booking.id)))
    for booking in waiting:
        start = take_slot(booking, reception, None, now)
        if start is None:
            break
        try:
            change_status(booking, (BookingStatus.WAITLISTED,), initial_status(reception),
                          note="promoted", slot_start=start,
                          ics_sequence=Booking.ics_sequence + 1)
        except CoreError:
            release_slot(booking)  # promoted (or cancelled) by someone else meanwhile
            continue
        notify_booking(booking, "booking_promoted")
        promoted.append(booking)
    return promoted


