"""The load fixture (CONTRACT §1 ``seed-load``): live sessions full of waiting citizens.

Everything is written with bulk INSERTs and a single argon2 hash, so that 50
sessions of 20 citizens take a few seconds. The CLI refuses it in production.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import insert, select

from sessions.queue import QueueState, ticket_for
from sessions.tracking import new_tracking_code

from .auth.models import RoleAssignment, User
from .auth.services import hash_password, issue_token
from .bookings.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    MatterField,
    MatterType,
    SlotHold,
)
from .extensions import db
from .live.models import QueueEntry
from .schedules.models import ReceptionSession, SessionKind, SessionMode, SessionStatus
from .timeutil import utcnow
from .units.models import Unit

LOAD_UNIT_CODE = "99"
SLOT_MINUTES = 2
TOKEN_HOURS = 24


def _load_unit() -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == LOAD_UNIT_CODE))
    if unit is None:
        unit = Unit(code=LOAD_UNIT_CODE, name="Tỉnh thử tải", level="province",
                    division_type="tỉnh")
        db.session.add(unit)
        db.session.flush()
    return unit


def _insert(model, rows: list[dict]) -> list[int]:
    """Bulk INSERT returning the new ids in the order of ``rows``."""
    if not rows:
        return []
    return list(db.session.scalars(
        insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def _people(run: str, kind: str, count: int, password_hash: str, now) -> list[int]:
    return _insert(User, [
        {"email": f"load-{run}-{kind}{i}@load.test", "full_name": f"Thử tải {kind} {i}",
         "password_hash": password_hash, "consent_data_at": now, "consent_recording_at": now}
        for i in range(count)])


def seed_load(n_sessions: int, waiting: int) -> dict:
    """Create ``n_sessions`` ad-hoc online sessions starting two minutes from now, each
    with its own host and ``waiting`` citizens holding accepted bookings.

    Returns ``{"sessions": [{"id", "host_token", "citizen_tokens": [...]}]}`` with
    the citizens in queue order (slot order). Flushes; the caller commits.
    """
    if n_sessions < 1 or waiting < 0:
        raise ValueError("need at least one session and no negative number of citizens")
    now, run = utcnow(), secrets.token_hex(3)
    unit = _load_unit()
    password_hash = hash_password(secrets.token_urlsafe(12))  # nobody logs in with it
    host_ids = _people(run, "host", n_sessions, password_hash, now)
    citizen_ids = _people(run, "citizen", n_sessions * waiting, password_hash, now)
    _insert(RoleAssignment, [{"user_id": h, "role": "host", "unit_id": unit.id}
                             for h in host_ids]
            + [{"user_id": c, "role": "citizen"} for c in citizen_ids])
    starts = now.replace(second=0, microsecond=0) + timedelta(minutes=2)
    session_ids = _insert(ReceptionSession, [
        {"unit_id": unit.id, "host_id": h, "kind": SessionKind.ADHOC, "mode": SessionMode.ONLINE,
         "status": SessionStatus.SCHEDULED, "starts_at": starts, "slot_minutes": SLOT_MINUTES,
         "ends_at": starts + timedelta(minutes=max(60, waiting * SLOT_MINUTES + 30)),
         "reason": "Thử tải phòng tiếp trực tuyến", "published_at": now, "updated_at": now}
        for h in host_ids])
    _seed_bookings(session_ids, citizen_ids, waiting, starts, now)
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(host_ids + citizen_ids)))}
    return {"sessions": [
        {"id": sid, "host_token": issue_token(users[host_ids[s]], TOKEN_HOURS),
         "citizen_tokens": [issue_token(users[c], TOKEN_HOURS)
                            for c in citizen_ids[s * waiting:(s + 1) * waiting]]}
        for s, sid in enumerate(session_ids)]}


def _seed_bookings(session_ids, citizen_ids, waiting: int, starts, now) -> None:
    """Accepted bookings (one slot each, in order), their holds, history and tickets."""
    plan = [(sid, citizen_ids[s * waiting + i], i, starts + timedelta(minutes=i * SLOT_MINUTES))
            for s, sid in enumerate(session_ids) for i in range(waiting)]
    booking_ids = _insert(Booking, [
        {"tracking_code": new_tracking_code(), "citizen_id": citizen, "session_id": sid,
         "slot_start": slot, "status": BookingStatus.ACCEPTED,
         "matter_type": MatterType.KIEN_NGHI, "matter_field": MatterField.KHAC,
         "summary": f"Kiến nghị thử tải số {i + 1}",
         "consent_recording_at": now, "decided_at": now, "created_at": now, "updated_at": now}
        for sid, citizen, i, slot in plan])
    db.session.execute(insert(SlotHold), [
        {"session_id": sid, "slot_start": slot, "booking_id": b}
        for (sid, _c, _i, slot), b in zip(plan, booking_ids, strict=True)])
    db.session.execute(insert(BookingEvent), [
        {"booking_id": b, "status": BookingStatus.ACCEPTED, "at": now} for b in booking_ids])
    db.session.execute(insert(QueueEntry), [
        {"session_id": sid, "booking_id": b, "ticket": ticket_for(i + 1),
         "state": QueueState.BOOKED, "priority_flags": "", "recalls": 0}
        for (sid, _c, i, _s), b in zip(plan, booking_ids, strict=True)])
    db.session.flush()
