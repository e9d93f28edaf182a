"""What a point's desk shows and does: the sessions its points serve with the citizens
expected there, checking one in, and booking on a citizen's behalf.

An operator sees only their own points' citizens. A booking made at the desk goes
through the one booking service (idempotency, slots, duplicate matter, triage); the
account it goes to is found by CCCD or phone, or created without a password, and the
operator learns nothing of a matched account beyond what they typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import select

from sessions.errors import N_, CoreError, invalid
from sessions.identity import normalize_phone, validate_cccd, validate_full_name

from ..audit.services import record_event
from ..auth.models import RoleAssignment, User
from ..bookings import services as bookings
from ..bookings.access import desk_name
from ..bookings.models import Booking, BookingStatus, MatterType
from ..extensions import db
from ..live.models import QueueEntry
from ..live.point_checkin import check_in_for
from ..points.models import ReceptionPoint
from ..points.services import POINT_MODES, operates
from ..schedules.models import ReceptionSession, SessionStatus
from ..timeutil import LOCAL_TZ, local_today, to_utc_naive

#: How far ahead the desk looks.
DESK_DAYS = 30
DESK_SESSIONS = 20
#: Bookings a desk lists: those still expected, and those already served or missed today.
DESK_STATUSES = (BookingStatus.PENDING, BookingStatus.ACCEPTED, BookingStatus.SERVED,
                 BookingStatus.NO_SHOW)
ADDRESS_MAX = 300


@dataclass
class Expected:
    """One citizen expected at the point, as the desk shows them."""

    booking: Booking
    name: str
    ticket: str | None
    checked_in: bool
    queue_state: str | None


@dataclass
class DeskSession:
    reception: ReceptionSession
    points: list[ReceptionPoint]
    citizens: list[Expected] = field(default_factory=list)


def _start_of_today() -> datetime:
    return to_utc_naive(datetime.combine(local_today(), time(0), tzinfo=LOCAL_TZ))


def served_sessions(points: list[ReceptionPoint], now: datetime) -> list[ReceptionSession]:
    """Today's and upcoming online or hybrid sessions that ``points`` serve (their units
    and the units above them), soonest first."""
    unit_ids = {uid for p in points for uid in p.unit.ancestor_ids()}
    if not unit_ids:
        return []
    return list(db.session.scalars(
        select(ReceptionSession).where(
            ReceptionSession.unit_id.in_(unit_ids), ReceptionSession.mode.in_(POINT_MODES),
            ReceptionSession.status != SessionStatus.CANCELLED,
            ReceptionSession.ends_at >= _start_of_today(),
            ReceptionSession.starts_at <= now + timedelta(days=DESK_DAYS))
        .order_by(ReceptionSession.starts_at).limit(DESK_SESSIONS)))


def desk(points: list[ReceptionPoint], viewer, now: datetime) -> list[DeskSession]:
    """The sessions of the desk, each with the citizens expected at ``points``."""
    receptions = served_sessions(points, now)
    point_ids = [p.id for p in points]
    rows = db.session.execute(
        select(Booking, QueueEntry).outerjoin(QueueEntry, QueueEntry.booking_id == Booking.id)
        .where(Booking.session_id.in_([r.id for r in receptions] or [0]),
               Booking.point_id.in_(point_ids or [0]), Booking.status.in_(DESK_STATUSES))
        .order_by(Booking.slot_start.is_(None), Booking.slot_start, Booking.id)).all()
    found = {r.id: DeskSession(r, [p for p in points if r.unit_id in p.unit.ancestor_ids()])
             for r in receptions}
    for booking, entry in rows:
        found[booking.session_id].citizens.append(Expected(
            booking, desk_name(booking, viewer), entry.ticket if entry else None,
            bool(entry and entry.checked_in_at), entry.state if entry else None))
    return list(found.values())


def desk_booking(booking_id: int, operator) -> Booking | None:
    """A booking joining from one of ``operator``'s points, else None (the page answers
    404: never someone else's point's citizen, not even whether they exist)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.point is None or not operates(operator, booking.point):
        return None
    return booking


def check_in(booking: Booking, *, actor, now: datetime) -> str | None:
    """Check in a citizen who came to the point (see app/live/point_checkin.py)."""
    if booking.status != BookingStatus.ACCEPTED:
        raise CoreError("invalid_state", N_("Chỉ công dân có lịch hẹn đã được tiếp nhận mới "
                                            "vào được hàng chờ."))
    return check_in_for(booking, actor=actor, now=now)


# --- booking on a citizen's behalf -------------------------------------------------------

@dataclass
class TypedPerson:
    """What the operator typed about the citizen in front of them."""

    full_name: str
    phone: str | None
    address: str
    cccd: str


def typed_person(data: dict) -> TypedPerson:
    """The citizen's details as typed, checked (422 listing every wrong field)."""
    errors: dict[str, CoreError] = {}
    name = phone = cccd = None
    try:
        name = validate_full_name(data.get("full_name") or "")
    except CoreError as exc:
        errors["full_name"] = CoreError(exc.code, exc.template, "full_name", **exc.params)
    if (data.get("phone") or "").strip():
        try:
            phone = normalize_phone(data["phone"])
        except CoreError as exc:
            errors["phone"] = CoreError(exc.code, exc.template, "phone", **exc.params)
    try:
        cccd = validate_cccd(data.get("cccd") or "")
    except CoreError as exc:
        errors["cccd"] = CoreError(exc.code, exc.template, "cccd", **exc.params)
    address = " ".join((data.get("address") or "").split())
    if not 1 <= len(address) <= ADDRESS_MAX:
        errors["address"] = CoreError("invalid_address", N_(
            "Vui lòng nhập địa chỉ của công dân (tối đa {max} ký tự)."), "address",
            max=ADDRESS_MAX)
    if errors:
        raise invalid(errors)
    return TypedPerson(name, phone, address, cccd)


def _citizen_with(clause) -> User | None:
    return db.session.scalar(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(clause, RoleAssignment.role == "citizen", User.is_active_account.is_(True),
               User.deletion_requested_at.is_(None)).order_by(User.id).limit(1))


def citizen_for(person: TypedPerson, *, actor, now: datetime) -> tuple[User, bool]:
    """The citizen account with that CCCD (or else that phone), unchanged; else a new
    account without a password, which its owner claims by a password reset on that
    phone. Returns (account, created)."""
    found = _citizen_with(User.cccd == person.cccd)
    if found is None and person.phone:
        found = _citizen_with(User.phone == person.phone)
    if found is not None:
        return found, False
    phone_free = person.phone and db.session.scalar(
        select(User.id).where(User.phone == person.phone)) is None
    user = User(full_name=person.full_name, phone=person.phone if phone_free else None,
                address=person.address, cccd=person.cccd, password_hash=None,
                consent_data_at=now)
    user.roles.append(RoleAssignment(role="citizen"))
    db.session.add(user)
    db.session.flush()
    record_event("create_citizen_at_point", actor=actor, target=f"user:{user.id}")
    return user, True


def book_for_citizen(point: ReceptionPoint, data: dict, *, actor, now: datetime,
                     idempotency_key: str | None = None) -> Booking:
    """Book a case for the citizen at ``point``'s desk, joining from ``point``.

    ``data``: the typed person (``full_name``, ``phone``?, ``address``, ``cccd``), the
    ``session_id``, ``slot_start``?, ``matter`` {type, field, summary} and
    ``consents_confirmed`` (the citizen agreed in person, to data processing, the
    recording and, for a denunciation, the risk of an online one). Refusals are those of
    :func:`app.bookings.services.create_booking`.
    """
    person = typed_person(data)
    if data.get("consents_confirmed") is not True:
        raise invalid({"consents_confirmed": CoreError("consent_required", N_(
            "Vui lòng xác nhận công dân đã đồng ý trực tiếp tại điểm cầu."),
            "consents_confirmed")})
    matter = data.get("matter") if isinstance(data.get("matter"), dict) else {}
    citizen, created = citizen_for(person, actor=actor, now=now)
    body = {"session_id": data.get("session_id"), "slot_start": data.get("slot_start"),
            "matter": matter, "join_from": point.code,
            "consents": {"recording": True,
                         "online_denunciation_risk": matter.get("type") == MatterType.TO_CAO}}
    # The officer checked the papers and typed name, address and CCCD (typed_person).
    booking, new = bookings.create_booking(citizen, body, idempotency_key=idempotency_key,
                                           identity_seen=True)
    if new:
        booking.assisted_by_id, booking.assisted_name = actor.id, person.full_name
        db.session.flush()
        record_event("assisted_booking", actor=actor, target=f"booking:{booking.id}",
                     point=point.code, new_account=created,
                     consents_confirmed_in_person=sorted(
                         ["data_processing", "recording"]
                         + (["online_denunciation_risk"] if booking.is_denunciation else [])))
    return booking
