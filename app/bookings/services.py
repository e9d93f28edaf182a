"""Booking services: taking a slot, never twice; waitlist promotion.

Double booking is impossible by construction (see :mod:`.slot_holds`). Services
flush; the request or job commits. Cancelling, rescheduling, triage and rating live
in :mod:`.lifecycle`; they and the shared helpers of :mod:`.slot_holds` are re-exported
here so that callers need one module.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime

from sqlalchemy import String, bindparam, cast, func, literal_column, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from sessions.errors import N_, CoreError
from sessions.tracking import new_tracking_code

from ..audit.services import record_event
from ..auth.models import User
from ..extensions import db
from ..points.services import resolve_join_from
from ..schedules.availability import held_starts, slot_starts
from ..schedules.models import ReceptionSession
from ..timeutil import utcnow
from . import errors as err
from .assurance import check_booking_identity, check_verified_identity
from .lifecycle import cancel_booking, decide_booking, rate_booking, reschedule_booking  # noqa: F401
from .messages import notify_booking
from .models import (
    MATTER_TYPES,
    Attachment,
    Booking,
    BookingEvent,
    BookingStatus,
    IdempotencyKey,
    SlotHold,
)
from .slot_holds import (  # noqa: F401
    ONLINE_MODES,
    change_status,
    check_slot_start,
    consent_errors,
    free_slot_starts,
    get_reception,
    initial_status,
    is_bookable,
    is_held,
    promote_waitlist,
    release_slot,
    take_slot,
)
from .validation import BookingInput, normalize_summary, parse_booking


def matter_key(citizen_id: int, matter_type: str, matter_field: str, summary: str) -> str:
    """sha256 of the citizen, type, field and normalised summary of a case."""
    text = "\x1f".join((str(citizen_id), matter_type, matter_field, normalize_summary(summary)))
    return hashlib.sha256(text.encode()).hexdigest()


def booking_for_key(user, key: str | None) -> Booking | None:
    """The booking an Idempotency-Key (or web form token) of ``user`` produced; None
    without a key."""
    if not key:
        return None
    return db.session.scalar(select(Booking).join(IdempotencyKey, IdempotencyKey.booking_id
                                                  == Booking.id)
                             .where(IdempotencyKey.user_id == user.id,
                                    IdempotencyKey.key == key[:200]))


def create_booking(citizen, data: dict, *, idempotency_key: str | None = None,
                   staged_files: list[dict] | tuple = (),
                   type_uncertain: bool = False,
                   identity_seen: bool = False) -> tuple[Booking, bool]:
    """Book a case into a session for ``citizen``; returns (booking, created).

    ``citizen`` is the :class:`User`, or the API's token caller (anything with the
    person's ``id``): the person is then loaded only if the booking is written.
    With ``idempotency_key`` a retry, or a twin request racing this one, returns the
    first booking with ``created`` False and writes nothing. Raises CoreError:
    422 validation_error / consent_required, 404, 409 slot_taken / session_full /
    duplicate_matter / invalid_state. ``type_uncertain`` (the web's "Tôi chưa rõ")
    marks a matter whose type the secretary sets at triage (:func:`classify_matter`).
    ``identity_seen``: an officer saw the citizen's papers and typed their name, address
    and CCCD (a booking at a reception point's desk), so the identity the law asks for is
    given whatever the matched account holds.
    """
    key = (idempotency_key or "").strip()[:200] or None
    if (existing := booking_for_key(citizen, key)) is not None:
        return existing, False
    now = utcnow()
    request = parse_booking(data)
    open_key = matter_key(citizen.id, request.matter_type, request.matter_field,
                          request.summary)
    try:
        reception, duplicate, held = _session_state(request.session_id, open_key)
        _check_request(request, reception, now)
        point = _join_point(request, reception)
        if duplicate:
            raise err.duplicate_matter()
        candidates = _precheck_slots(reception, request, now, held)
        if (locked := _lock_session_holds(reception.id)) is not None:
            candidates = _precheck_slots(reception, request, now, locked)
    except CoreError:
        # On PostgreSQL each statement sees what has committed before it: a twin request
        # with the same key may have committed since the key was looked up, and its
        # booking is then this request's duplicate, or took the last slot.
        if (existing := booking_for_key(citizen, key)) is not None:
            return existing, False
        raise
    if not isinstance(citizen, User):  # the API's caller: the person is needed now
        person = db.session.get(User, citizen.id, options=[lazyload(User.roles)])
        if person is None:  # removed since the token was looked up
            raise err.invalid_state()
        citizen = person
    if not identity_seen:
        check_booking_identity(citizen, reception)
    check_verified_identity(citizen, reception)
    try:
        with db.session.begin_nested():
            booking = _insert(citizen, reception, request, open_key, key, now, candidates)
            booking.point = point
            booking.type_uncertain = bool(type_uncertain)
            _add_staged(booking, staged_files, citizen)
            notify_booking(booking, "booking_waitlisted"
                           if booking.status == BookingStatus.WAITLISTED
                           else "booking_accepted" if booking.status == BookingStatus.ACCEPTED
                           else "booking_received")
            # Its flush writes the booking's first event, files and messages too: one
            # unit of work instead of three per booking (docs/performance.md, fix 16).
            record_event("booking_create", actor=citizen, target=f"booking:{booking.id}",
                         status=booking.status, session_id=reception.id)
    except IntegrityError:
        # A twin request with the same key committed first (PostgreSQL made us wait
        # for it), or the same matter was booked meanwhile.
        if (existing := booking_for_key(citizen, key)) is not None:
            return existing, False
        raise err.duplicate_matter() from None
    return booking, True


@functools.cache
def _session_state_statement():
    """Built once (with a subquery and an aggregate, building it cost a third of running
    it); the session id and the matter key are bound parameters."""
    duplicate = (select(Booking.id).where(Booking.open_matter_key == bindparam("open_key"))
                 .exists())
    # The separator as SQL text: given as a string it is a parameter rendered into the
    # statement at every execution (SQLAlchemy's literal_execute).
    held = (select(func.aggregate_strings(cast(SlotHold.slot_start, String),
                                          literal_column("'|'")))
            .where(SlotHold.session_id == ReceptionSession.id).scalar_subquery())
    return (select(ReceptionSession, duplicate, held)
            .where(ReceptionSession.id == bindparam("session_id")))


def _session_state(session_id: int, open_key: str) -> tuple[ReceptionSession, bool,
                                                            set[datetime]]:
    """The session (404), whether the citizen already has this matter open, and the
    slots held in the session, in one round trip: in a rush most requests stop at
    one of these, and each statement costs as much as a whole bare request."""
    row = db.session.execute(_session_state_statement(),
                             {"session_id": session_id, "open_key": open_key}).one_or_none()
    if row is None:
        raise err.not_found()
    reception, is_duplicate, held_text = row
    return reception, bool(is_duplicate), {
        datetime.fromisoformat(value) for value in (held_text or "").split("|") if value}


# The first key of the advisory locks that make bookings of one session take turns
# (the second is the session's id): 0x626b = "bk".
BOOKING_LOCK = 0x626B


def _lock_session_holds(session_id: int) -> set[datetime] | None:
    """On PostgreSQL, wait for this session's turn to book, then read its holds again.

    The turn is a transaction-scoped advisory lock on the session, taken only here, at
    the start of a booking's writes: the booking before this one in the same session
    has committed or rolled back when it is granted, so the holds read after it are
    current and the slot chosen from them is free. Without it, bookings that read the
    session at the same moment in a rush all wrote themselves, then tried slot after
    slot, each attempt waiting for the transaction holding that slot (per rush of 200
    citizens for 20 slots: 180 failed attempts, 9 bookings written in vain).

    Returns None on SQLite, whose transactions take the database's write lock when they
    begin (BEGIN IMMEDIATE): the state read at the start is already current. The
    unique constraint on (session, slot) still decides in every case.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return None
    db.session.execute(select(func.pg_advisory_xact_lock(BOOKING_LOCK, session_id)))
    return held_starts(session_id)


def _check_request(request: BookingInput, reception: ReceptionSession,
                   now: datetime) -> None:
    """Every rule but availability (and an open duplicate): consents, slot, session."""
    if missing := consent_errors(reception, request.matter_type, request.consent_recording,
                                 request.consent_denunciation_risk):
        raise err.consent_required(missing)
    check_slot_start(reception, request.slot_start, now)
    if not is_bookable(reception, now):
        raise err.invalid_state(N_("Buổi tiếp này không còn nhận đăng ký."))


def _join_point(request: BookingInput, reception: ReceptionSession):
    """The reception point the citizen joins from (None: home), or 422 on join_from."""
    try:
        return resolve_join_from(request.join_from, reception)
    except CoreError as exc:
        raise err.invalid({"join_from": exc}) from None


def _precheck_slots(reception: ReceptionSession, request: BookingInput, now: datetime,
                    held: set[datetime]) -> list[datetime] | None:
    """Refuse early, before writing, what is plainly taken or full (a rush is mostly that).

    The unique constraint still decides: a slot free here may be gone at insert time.
    """
    if request.slot_start is not None:
        if request.slot_start in held:
            raise err.slot_taken()
        return None
    candidates = [start for start in slot_starts(reception) if start > now and start not in held]
    if not candidates and not request.waitlist:
        raise err.session_full()
    return candidates


def _insert(citizen, reception: ReceptionSession, request: BookingInput, open_key: str,
            key: str | None, now: datetime, candidates: list[datetime] | None) -> Booking:
    # The slot most likely to be taken is written with the booking; an UPDATE follows
    # only when someone took it first. ``history=[]``: the new booking's history is
    # known to be empty, so adding its first event does not read it back.
    expected = request.slot_start if candidates is None else (candidates or [None])[0]
    booking = Booking(
        tracking_code=new_tracking_code(), citizen_id=citizen.id, session_id=reception.id,
        slot_start=expected, status=initial_status(reception), history=[],
        matter_type=request.matter_type,
        matter_field=request.matter_field, summary=request.summary, open_matter_key=open_key,
        group_size=request.group_size, representatives=request.representatives_json,
        earlier_case_ref=request.earlier_case_ref, priority_flags=citizen.priority_flags or "",
        consent_recording_at=now if request.consent_recording else None,
        consent_denunciation_risk_at=now if request.consent_denunciation_risk else None)
    booking.citizen, booking.reception = citizen, reception
    db.session.add(booking)
    db.session.flush()
    if key:
        db.session.add(IdempotencyKey(user_id=citizen.id, key=key, booking_id=booking.id))
        db.session.flush()
    slot = take_slot(booking, reception, request.slot_start, now, candidates)
    if slot != expected:
        booking.slot_start = slot
    if booking.slot_start is None:
        if not request.waitlist:
            raise err.session_full()
        booking.status = BookingStatus.WAITLISTED
    booking.history.append(BookingEvent(status=booking.status, actor_id=citizen.id))
    return booking


def _add_staged(booking: Booking, staged_files, actor) -> None:
    for item in staged_files or ():
        db.session.add(Attachment(booking_id=booking.id, filename=item["filename"],
                                  stored_name=item["stored_name"],
                                  content_type=item["content_type"], size=item["size"],
                                  sha256=item["sha256"], uploaded_by_id=actor.id))


def waitlist_position(booking: Booking) -> int | None:
    """1 for the first waitlisted booking of the session; None when not waitlisted."""
    if booking.status != BookingStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(select(func.count(Booking.id)).where(
        Booking.session_id == booking.session_id, Booking.status == BookingStatus.WAITLISTED,
        (Booking.created_at < booking.created_at)
        | ((Booking.created_at == booking.created_at) & (Booking.id < booking.id))))
    return (ahead or 0) + 1



def classify_matter(booking: Booking, matter_type: object, *, actor) -> Booking:
    """The secretary sets the type of a matter whose citizen was unsure of it.

    The open matter key follows the type; a denunciation keeps its rules from now on
    (its identity is protected, its text leaves SMS and Zalo).
    """
    if matter_type not in MATTER_TYPES:
        raise err.invalid({"matter_type": CoreError(
            "invalid_matter_type", N_("Vui lòng chọn loại vụ việc."), field="matter_type")})
    if not booking.is_open:
        raise err.invalid_state()
    booking.matter_type, booking.type_uncertain = matter_type, False
    booking.open_matter_key = matter_key(booking.citizen_id, booking.matter_type,
                                         booking.matter_field, booking.summary)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise err.duplicate_matter() from None
    record_event("booking_classify", actor=actor, target=f"booking:{booking.id}",
                 matter_type=matter_type)
    return booking
