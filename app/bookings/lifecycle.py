"""After booking: cancel, reschedule, triage (accept / refuse / redirect), rating.

Every change frees what it must (the slot hold, the open-matter key), tells the
citizen through the outbox and promotes the session's waitlist in the same
transaction. The audit event is written last: on PostgreSQL it locks the audit
table, so taking it after every row lock keeps transactions free of deadlocks.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from sessions.errors import N_, CoreError
from sessions.rules import validate_refusal_ground

from ..audit.services import record_event
from ..extensions import db
from ..points.services import serves
from ..rulebook import services as rulebook
from ..timeutil import utcnow
from ..units.models import Agency
from . import errors as err
from . import slot_holds as core
from .messages import notify_booking
from .models import OPEN_STATUSES, Booking, BookingStatus, Rating, SlotHold
from .validation import parse_note, parse_session_id, parse_slot_start

DECISIONS = ("accept", "refuse", "redirect")


def _not_started(booking: Booking, now) -> None:
    if booking.reception.starts_at <= now:
        raise err.invalid_state(N_("Buổi tiếp đã bắt đầu: không thể thay đổi lịch hẹn nữa."))


def cancel_booking(booking: Booking, *, actor, reason: str = "") -> Booking:
    """Cancel an open booking before its session starts; frees the slot (409 otherwise)."""
    now = utcnow()
    _not_started(booking, now)
    reception = booking.reception
    core.change_status(booking, OPEN_STATUSES, BookingStatus.CANCELLED,
                       actor=actor, note=reason[:2000], ics_sequence=Booking.ics_sequence + 1)
    core.release_slot(booking)
    notify_booking(booking, "booking_cancelled", by_staff=actor.id != booking.citizen_id,
                   note=reason)
    core.promote_waitlist(reception, now)
    record_event("booking_cancel", actor=actor, target=f"booking:{booking.id}")
    return booking


def reschedule_booking(booking: Booking, data: dict, *, actor) -> Booking:
    """Move a booking to another slot of its unit, atomically (CONTRACT §3).

    The hold row is moved with one UPDATE inside a SAVEPOINT: the unique constraint
    refuses a taken slot (409 slot_taken) and the old slot stays held; the old slot
    is free the moment the new one is held, and the waitlist of the old session is
    promoted into it.
    """
    now = utcnow()
    if booking.status not in OPEN_STATUSES:
        raise err.invalid_state()
    _not_started(booking, now)
    target, slot_start = _target(booking, data, now)
    old_reception = booking.reception
    start = _move_hold(booking, target, slot_start, now)
    old_status = booking.status
    new_status = (core.initial_status(target) if old_status == BookingStatus.WAITLISTED
                  else old_status)
    core.change_status(booking, (old_status,), new_status, actor=actor, note="rescheduled",
                       event=new_status != old_status, session_id=target.id,
                       slot_start=start, reminded_24h_at=None,
                       reminded_1h_at=None, ics_sequence=Booking.ics_sequence + 1)
    if booking.point is not None and not serves(booking.point, target):
        booking.point = None  # an in-person session: the citizen comes to the session itself
    notify_booking(booking, "booking_rescheduled")
    core.promote_waitlist(old_reception, now)
    record_event("booking_reschedule", actor=actor, target=f"booking:{booking.id}",
                 session_id=target.id)
    return booking


def _target(booking: Booking, data: dict, now):
    """The session (of the same unit) and optional slot a booking is to move to."""
    errors: dict = {}
    session_id = parse_session_id(data.get("session_id"), errors)
    slot_start = parse_slot_start(data.get("slot_start"), errors)
    if errors:
        raise err.invalid(errors)
    target = core.get_reception(session_id)
    if target.unit_id != booking.reception.unit_id:
        raise err.invalid({"session_id": CoreError("other_unit", N_(
            "Chỉ có thể đổi sang một buổi tiếp khác của cùng đơn vị."), field="session_id")})
    consents = data.get("consents") if isinstance(data.get("consents"), dict) else {}
    _refresh_consents(booking, target, consents, now)
    core.check_slot_start(target, slot_start, now)
    if not core.is_bookable(target, now):
        raise err.invalid_state(N_("Buổi tiếp này không còn nhận đăng ký."))
    return target, slot_start


def _refresh_consents(booking: Booking, target, consents: dict, now) -> None:
    recording = consents.get("recording") is True or booking.consent_recording_at is not None
    risk = consents.get("online_denunciation_risk") is True or \
        booking.consent_denunciation_risk_at is not None
    if missing := core.consent_errors(target, booking.matter_type, recording, risk):
        raise err.consent_required(missing)
    if booking.consent_recording_at is None and recording:
        booking.consent_recording_at = now
    if booking.consent_denunciation_risk_at is None and risk:
        booking.consent_denunciation_risk_at = now


def _move_hold(booking: Booking, target, slot_start, now):
    """Hold the new slot, releasing the old one in the same statement."""
    has_hold = db.session.scalar(select(SlotHold.id).where(SlotHold.booking_id == booking.id))
    if not has_hold:
        start = core.take_slot(booking, target, slot_start, now)
        if start is None:
            raise err.session_full()
        return start
    candidates = [slot_start] if slot_start else core.free_slot_starts(target, now)
    for start in candidates:
        try:
            with db.session.begin_nested():
                db.session.execute(update(SlotHold).where(SlotHold.booking_id == booking.id)
                                   .values(session_id=target.id, slot_start=start))
        except IntegrityError:
            continue
        return start
    raise err.slot_taken() if slot_start else err.session_full()


def decide_booking(booking: Booking, data: dict, *, actor) -> Booking:
    """Triage by a secretary: accept (idempotent), refuse on a legal ground, redirect."""
    errors: dict = {}
    decision = data.get("decision")
    if decision not in DECISIONS:
        errors["decision"] = CoreError("invalid_decision", N_(
            "Vui lòng chọn: tiếp nhận, từ chối hoặc chuyển cơ quan có thẩm quyền."),
            field="decision")
    note = parse_note(data.get("note"), errors)
    for name in ("ground", "agency"):  # a text when given, whatever the decision
        if name in data and not isinstance(data[name], str):
            errors[name] = CoreError("invalid_type", N_("Dữ liệu không hợp lệ."), field=name)
    ground, agency = "", None
    if decision == "refuse":
        try:
            ground = validate_refusal_ground(data.get("ground"), "triage",
                                             rulebook.refusal_grounds())
        except CoreError as exc:
            errors["ground"] = exc
    if decision == "redirect":
        agency = _agency_for(booking, data.get("agency"), errors)
    if errors:
        raise err.invalid(errors)
    if decision == "accept":
        return _accept(booking, actor, note)
    return _close(booking, actor, decision, note, ground, agency)


def _agency_for(booking: Booking, code: object, errors: dict) -> Agency | None:
    unit_ids = booking.reception.unit.ancestor_ids()
    agency = None
    if isinstance(code, str) and 0 < len(code) <= 20:
        agency = db.session.scalar(select(Agency).where(
            Agency.code == code.strip(), Agency.unit_id.in_(unit_ids),
            Agency.is_active.is_(True)).order_by(Agency.id).limit(1))
    if agency is None:
        errors["agency"] = CoreError("invalid_agency", N_(
            "Vui lòng chọn cơ quan có thẩm quyền của đơn vị."), field="agency")
    return agency


def _accept(booking: Booking, actor, note: str) -> Booking:
    """Accept a pending booking; idempotent.

    The event goes from TENTATIVE to CONFIRMED, a change calendars must show, so its
    SEQUENCE rises; the message is written after, so the links it carries are signed
    with the new sequence and still work.
    """
    if booking.status == BookingStatus.ACCEPTED:
        return booking
    core.change_status(booking, (BookingStatus.PENDING,), BookingStatus.ACCEPTED,
                       actor=actor, note=note, decided_by_id=actor.id, decided_at=utcnow(),
                       decision_note=note, ics_sequence=Booking.ics_sequence + 1)
    notify_booking(booking, "booking_accepted")
    record_event("booking_accept", actor=actor, target=f"booking:{booking.id}")
    return booking


def _close(booking: Booking, actor, decision: str, note: str, ground: str,
           agency: Agency | None) -> Booking:
    reception = booking.reception
    status = BookingStatus.REFUSED if decision == "refuse" else BookingStatus.REDIRECTED
    values = {"decided_by_id": actor.id, "decided_at": utcnow(), "decision_note": note,
              "decision_ground": ground}
    if agency is not None:
        values.update(redirect_agency_id=agency.id, redirect_to=agency.name[:300])
    if booking.slot_start is not None:
        values["ics_sequence"] = Booking.ics_sequence + 1
    core.change_status(booking, OPEN_STATUSES, status, actor=actor,
                       note=note, **values)
    core.release_slot(booking)
    notify_booking(booking, f"booking_{status}", note=note,
                   ground_text=rulebook.ground_text(ground),
                   written_notice=rulebook.needs_written_notice(ground),
                   agency_name=values.get("redirect_to", ""))
    core.promote_waitlist(reception)
    record_event(f"booking_{decision}", actor=actor, target=f"booking:{booking.id}",
                 ground=ground, agency=agency.code if agency else "")
    return booking


def rate_booking(booking: Booking, data: dict, *, actor) -> Rating:
    """The citizen rates the service once, after the call (status served)."""
    errors: dict = {}
    score = data.get("score")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        errors["score"] = CoreError("invalid_score", N_("Vui lòng chấm điểm từ 1 đến 5."),
                                    field="score")
    comment = parse_note(data.get("comment"), errors, "comment")
    if errors:
        raise err.invalid(errors)
    if booking.status != BookingStatus.SERVED:
        raise err.invalid_state(N_("Bạn chỉ có thể đánh giá sau khi đã được tiếp."))
    rating = Rating(booking_id=booking.id, score=score, comment=comment)
    try:
        with db.session.begin_nested():
            db.session.add(rating)
    except IntegrityError:
        raise err.invalid_state(N_("Bạn đã đánh giá vụ việc này rồi.")) from None
    record_event("booking_rate", actor=actor, target=f"booking:{booking.id}", score=score)
    return rating


def booking_by_id(booking_id: int) -> Booking | None:
    return db.session.get(Booking, booking_id)
