"""Turning a schedule's occurrences into dated sessions, and keeping them in step.

Sessions are generated up to a rolling horizon. When a schedule changes (or the
working-day calendar does), its future sessions are brought in line with the new
expansion: a session without bookings is simply regenerated; a session with open
bookings that has to move is rescheduled, its citizens keep their slot (or get
the first free one) and are told the new time.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from sessions.errors import N_, CoreError
from sessions.recurrence import Occurrence

from ..extensions import db
from ..timeutil import to_local, to_utc_naive
from .models import ReceptionSession, Schedule, SessionKind, SessionStatus
from .notices import when
from .occupants import occupants

log = logging.getLogger(__name__)


def origin_of(occurrence: Occurrence) -> date:
    """The rule date an occurrence comes from (before a holiday shift)."""
    return occurrence.shifted_from or occurrence.starts_at.date()


def utc_bounds(occurrence: Occurrence) -> tuple[datetime, datetime]:
    return to_utc_naive(occurrence.starts_at), to_utc_naive(occurrence.ends_at)


def find_overlap(host_id: int, intervals: Iterable[tuple[datetime, datetime]],
                 exclude_ids: Iterable[int] = ()) -> tuple[datetime, ReceptionSession] | None:
    """The first interval that overlaps another non-cancelled session of the host."""
    intervals = sorted(intervals)
    if not intervals:
        return None
    low, high = intervals[0][0], max(end for _start, end in intervals)
    excluded = set(exclude_ids)
    others = [r for r in db.session.scalars(
        select(ReceptionSession).where(
            ReceptionSession.host_id == host_id,
            ReceptionSession.status != SessionStatus.CANCELLED,
            ReceptionSession.starts_at < high, ReceptionSession.ends_at > low)
        .order_by(ReceptionSession.starts_at)) if r.id not in excluded]
    starts = [r.starts_at for r in others]
    for start, end in intervals:
        # Only sessions starting before ``end`` can overlap; look back from there.
        for other in reversed(others[:bisect.bisect_left(starts, end)]):
            if other.ends_at > start:
                return start, other
            if other.starts_at < start - timedelta(days=1):
                break  # sessions never last a day: nothing further back overlaps
    return None


def check_overlap(host_id: int, intervals, exclude_ids=()) -> None:
    """Refuse (409 overlap) when one of ``intervals`` overlaps the host's sessions."""
    clash = find_overlap(host_id, intervals, exclude_ids)
    if clash is not None:
        starts_at, other = clash
        raise CoreError("overlap", N_(
            "Buổi tiếp lúc {time} trùng thời gian với một buổi tiếp khác của người chủ trì "
            "({other})."), time=when(starts_at), other=when(other.starts_at), other_id=other.id)


def new_session(schedule: Schedule, occurrence: Occurrence, now: datetime,
                link: bool = True) -> ReceptionSession:
    """A periodic session of ``schedule`` for one occurrence (added, not flushed).

    ``link`` also appends it to ``schedule.sessions`` (not wanted inside a
    SAVEPOINT that may be rolled back).
    """
    starts_at, ends_at = utc_bounds(occurrence)
    reception = ReceptionSession(
        schedule_id=schedule.id, origin_date=origin_of(occurrence), unit_id=schedule.unit_id,
        host_id=schedule.host_id, kind=SessionKind.PERIODIC, starts_at=starts_at,
        ends_at=ends_at, slot_minutes=schedule.slot_minutes, mode=schedule.mode,
        status=SessionStatus.SCHEDULED,
        location=schedule.location or "", shifted_from=occurrence.shifted_from,
        published_at=now, sequence=0, created_by_id=schedule.created_by_id)
    if link:
        reception.schedule = schedule
    db.session.add(reception)
    return reception


def insert_sessions(schedule: Schedule, occurrences: list[Occurrence], now: datetime) -> int:
    """Insert the periodic sessions of ``occurrences`` in one statement (a year of a
    schedule is written in a few milliseconds); ``schedule.sessions`` reloads after."""
    rows = []
    for occurrence in occurrences:
        starts_at, ends_at = utc_bounds(occurrence)
        rows.append({
            "schedule_id": schedule.id, "origin_date": origin_of(occurrence),
            "unit_id": schedule.unit_id, "host_id": schedule.host_id,
            "kind": SessionKind.PERIODIC, "starts_at": starts_at, "ends_at": ends_at,
            "slot_minutes": schedule.slot_minutes, "mode": schedule.mode,
            "status": SessionStatus.SCHEDULED, "location": schedule.location or "",
            "shifted_from": occurrence.shifted_from, "published_at": now, "sequence": 0,
            "created_by_id": schedule.created_by_id, "updated_at": now})
    if rows:
        db.session.execute(insert(ReceptionSession.__table__), rows)
    db.session.expire(schedule, ["sessions"])
    return len(rows)


def _nearest(pool: dict[date, Occurrence], moment: datetime) -> date | None:
    if not pool:
        return None
    return min(pool, key=lambda origin: abs(to_utc_naive(pool[origin].starts_at) - moment))


def _plan(future: list[ReceptionSession], target: dict[date, Occurrence],
          pool: dict[date, Occurrence], open_counts) -> list[tuple]:
    """``(session, occurrence or None)`` for each future scheduled session.

    A session keeps the occurrence of its rule date; a booked session whose date
    left the rule takes the nearest occurrence nobody has (removed from ``pool``);
    ``None`` means it goes (or, when booked, stays as it is).
    """
    plan = []
    for reception in sorted(future, key=lambda r: r.starts_at):
        if reception.status != SessionStatus.SCHEDULED:
            continue
        if reception.origin_date in target:
            plan.append((reception, target[reception.origin_date]))
        elif open_counts[reception.id]:
            origin = _nearest(pool, reception.starts_at)
            plan.append((reception, pool.pop(origin) if origin is not None else None))
        else:
            plan.append((reception, None))
    return plan


def sync_sessions(schedule: Schedule, occurrences: list[Occurrence], *, now: datetime,
                  actor) -> list[CoreError]:
    """Bring the schedule's sessions starting after ``now`` in line with ``occurrences``.

    Past and started sessions are never touched, nor cancelled ones. Raises
    a CoreError ``overlap`` (before changing anything) if the result would overlap another
    session of the host. Returns notices about rescheduled or kept sessions.
    """
    target = {origin_of(o): o for o in occurrences if o.starts_at > to_local(now)}
    future = list(db.session.scalars(select(ReceptionSession).where(
        ReceptionSession.schedule_id == schedule.id, ReceptionSession.starts_at > now)))
    used = set(db.session.scalars(select(ReceptionSession.origin_date).where(
        ReceptionSession.schedule_id == schedule.id)))
    open_counts, all_counts = occupants().counts([r.id for r in future])
    pool = {o: occ for o, occ in target.items() if o not in used}
    plan = _plan(future, target, pool, open_counts)
    intervals = [utc_bounds(o) for _r, o in plan if o is not None]
    intervals += [utc_bounds(o) for o in pool.values()]
    # Sessions that move or go are not in the way; kept ones (and others) are.
    changing = [r.id for r, o in plan if o is not None or not open_counts[r.id]]
    check_overlap(schedule.host_id, intervals, exclude_ids=changing)
    notices: list[CoreError] = []
    for reception, occurrence in plan:
        notices += _apply(schedule, reception, occurrence, open_counts[reception.id],
                          all_counts[reception.id], actor)
    db.session.flush()
    insert_sessions(schedule, sorted(pool.values(), key=lambda o: o.starts_at), now)
    return notices


def _apply(schedule: Schedule, reception: ReceptionSession, occurrence: Occurrence | None,
           open_count: int, all_count: int, actor) -> list[CoreError]:
    """Move, update, cancel, delete or keep one future session of the schedule."""
    if occurrence is None:
        if open_count:
            return [CoreError("kept_with_bookings", N_(
                "Buổi tiếp {when} có {count} lượt đặt nên được giữ nguyên dù không còn "
                "trong lịch mới; hãy dời hoặc hủy buổi này nếu cần."),
                when=_when(reception.starts_at), count=open_count)]
        if all_count:
            reception.status, reception.sequence = SessionStatus.CANCELLED, reception.sequence + 1
            reception.cancel_reason = N_("Lịch tiếp định kỳ đã được thay đổi.")
        else:
            db.session.delete(reception)
        return []
    starts_at, ends_at = utc_bounds(occurrence)
    changed = (starts_at, ends_at, schedule.slot_minutes) != (
        reception.starts_at, reception.ends_at, reception.slot_minutes)
    details = (schedule.host_id, schedule.mode, schedule.location or "") != (
        reception.host_id, reception.mode, reception.location)
    reception.origin_date, reception.shifted_from = origin_of(occurrence), occurrence.shifted_from
    reception.host_id, reception.mode = schedule.host_id, schedule.mode
    reception.location = schedule.location or ""
    if changed and open_count:
        return move_session(reception, starts_at, ends_at, schedule.slot_minutes, actor)
    if changed:
        reception.starts_at, reception.ends_at = starts_at, ends_at
        reception.slot_minutes = schedule.slot_minutes
    if changed or details:
        reception.sequence += 1
    return []


def _when(moment: datetime) -> str:
    return to_local(moment).strftime("%H:%M %d/%m/%Y")


def move_session(reception: ReceptionSession, starts_at: datetime, ends_at: datetime,
                 slot_minutes: int, actor) -> list[CoreError]:
    """Reschedule a session that has bookings: new time, slots re-placed, citizens told.

    Each open booking keeps its slot number when the new session still has it,
    otherwise it takes the first free slot; bookings that no longer fit at all
    keep their place in the session without a slot and are reported.
    """
    old_start, old_slot = reception.starts_at, reception.slot_minutes
    if starts_at != old_start:
        reception.previous_starts_at = old_start
    reception.starts_at, reception.ends_at = starts_at, ends_at
    reception.slot_minutes, reception.sequence = slot_minutes, reception.sequence + 1
    count, unplaced = occupants().reslot(reception, old_start, old_slot)
    notices = [CoreError("session_rescheduled", N_(
        "Buổi tiếp {old} có {count} lượt đặt đã được dời sang {new}; công dân đã được "
        "thông báo."), old=_when(old_start), new=_when(starts_at), count=count)]
    if unplaced:
        notices.append(CoreError("bookings_without_slot", N_(
            "Buổi tiếp {new} ngắn hơn trước: {count} lượt đặt chưa có khung giờ, cần sắp "
            "xếp lại."), new=_when(starts_at), count=unplaced))
    return notices


def extend_schedule(schedule: Schedule, occurrences: list[Occurrence], now: datetime) -> int:
    """Insert the occurrences the schedule does not have yet; returns how many.

    Each insert runs in its own SAVEPOINT, so a row inserted meanwhile by another
    process (the unique (schedule_id, origin_date)) is skipped, not fatal. An
    occurrence that would overlap another session of the host is skipped and logged.
    """
    used = set(db.session.scalars(select(ReceptionSession.origin_date).where(
        ReceptionSession.schedule_id == schedule.id)))
    created = 0
    for occurrence in occurrences:
        if origin_of(occurrence) in used or occurrence.starts_at <= to_local(now):
            continue
        clash = find_overlap(schedule.host_id, [utc_bounds(occurrence)])
        if clash is not None:
            log.warning("schedule %s: %s overlaps session %s, not generated",
                        schedule.id, occurrence.starts_at, clash[1].id)
            continue
        try:
            with db.session.begin_nested():
                new_session(schedule, occurrence, now, link=False)
            created += 1
        except IntegrityError:
            log.info("schedule %s: %s already generated", schedule.id, occurrence.starts_at)
    return created
