"""Dated reception sessions: ad-hoc sessions, cancelling, deputies, public listings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from sessions.errors import N_, CoreError, invalid
from sessions.recurrence import MIN_SLOT_MINUTES, parse_choice, parse_minutes
from sessions.rules import CONNECT_BEFORE_MINUTES, LINK_TEST_WORKING_DAYS

from ..audit.services import record_event
from ..auth.access import scoped_unit_ids
from ..extensions import db
from ..timeutil import iso_local, local_today, parse_iso, to_local, to_utc_naive, utcnow
from ..units.models import Unit
from .availability import free_counts, session_slots
from .generation import check_overlap
from .models import (
    OPEN_SESSION_STATUSES,
    ReceptionSession,
    SessionKind,
    SessionMode,
    SessionStatus,
    SlotHold,
)
from .notices import notify_deputy
from .occupants import occupants

MODE_LABELS = {SessionMode.ONLINE: _l("Trực tuyến"), SessionMode.IN_PERSON: _l("Trực tiếp"),
               SessionMode.HYBRID: _l("Trực tiếp và trực tuyến")}
KIND_LABELS = {SessionKind.PERIODIC: _l("Tiếp định kỳ"),
               SessionKind.ADHOC: _l("Tiếp đột xuất")}
REASON_LENGTH = 2000
AUTHORISATION_LENGTH = 300
MAX_ADHOC_HOURS = 12
MAX_ADHOC_DAYS_AHEAD = 2 * 366


def unit_scope_ids(user, *roles: str) -> set[int] | None:
    """Ids of the units where ``user`` holds one of ``roles`` and of all units below
    them; ``None`` for an administrator (every unit)."""
    ids = scoped_unit_ids(user, *roles)
    if ids is None:
        return None
    result, frontier = set(ids), set(ids)
    while frontier:
        children = set(db.session.scalars(select(Unit.id).where(Unit.parent_id.in_(frontier))))
        frontier = children - result
        result |= children
    return result


def _text(data: dict, field: str, limit: int, errors: dict) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        errors[field] = CoreError("required", N_("Thông tin này là bắt buộc."), field=field)
        return ""
    if len(value) > limit:
        errors[field] = CoreError("too_long", N_("Tối đa {max} ký tự."), field=field, max=limit)
    return value.strip()


def _moment(data: dict, field: str, errors: dict) -> datetime | None:
    """A naive UTC datetime from an ISO 8601 string (local time when no offset)."""
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[field] = CoreError("required", N_("Vui lòng chọn ngày và giờ."), field=field)
        return None
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError(field)
        return to_utc_naive(parse_iso(value)).replace(second=0, microsecond=0)
    except (ValueError, OverflowError):
        errors[field] = CoreError("invalid_datetime", N_(
            "Thời gian phải có dạng ISO 8601, ví dụ 2027-02-16T08:00:00+07:00."), field=field)
        return None


def _check_times(values: dict, errors: dict, now: datetime) -> None:
    start, end, slot = values.get("starts_at"), values.get("ends_at"), values.get("slot_minutes")
    if start is not None and start < now + timedelta(minutes=1):
        errors["starts_at"] = CoreError("too_soon", N_(
            "Buổi tiếp phải bắt đầu sau thời điểm hiện tại ít nhất một phút."), field="starts_at")
    elif start is not None and start > now + timedelta(days=MAX_ADHOC_DAYS_AHEAD):
        errors["starts_at"] = CoreError("too_far", N_(
            "Buổi tiếp đột xuất phải diễn ra trong vòng hai năm tới."), field="starts_at")
    if start is None or end is None:
        return
    if end <= start:
        errors["ends_at"] = CoreError("ends_before_start", N_(
            "Giờ kết thúc phải sau giờ bắt đầu."), field="ends_at")
    elif end - start > timedelta(hours=MAX_ADHOC_HOURS):
        errors["ends_at"] = CoreError("too_long_session", N_(
            "Buổi tiếp dài tối đa {hours} giờ."), field="ends_at", hours=MAX_ADHOC_HOURS)
    elif slot is not None and not MIN_SLOT_MINUTES <= slot <= (end - start).total_seconds() / 60:
        errors["slot_minutes"] = CoreError("invalid_slot_minutes", N_(
            "Mỗi lượt tiếp dài từ {min} phút đến hết thời lượng buổi tiếp."),
            field="slot_minutes", min=MIN_SLOT_MINUTES)


def parse_adhoc_body(data: dict, now: datetime) -> dict:
    """The values of an ad-hoc session body, or a validation_error with every
    field error."""
    from .services import parse_host, parse_location, parse_unit

    errors: dict[str, CoreError] = {}
    values: dict = {"unit": parse_unit(data.get("unit_code"), errors)}
    values["host"] = parse_host(data.get("host_id"), values["unit"], errors)
    values["starts_at"] = _moment(data, "starts_at", errors)
    values["ends_at"] = _moment(data, "ends_at", errors)
    for field, parser in (("slot_minutes", parse_minutes),
                          ("mode", lambda v: parse_choice("mode", v))):
        try:
            values[field] = parser(data.get(field))
        except CoreError as error:
            error.field = field
            errors[field] = error
    values["reason"] = _text(data, "reason", REASON_LENGTH, errors)
    values["location"] = parse_location(data, errors)
    _check_times(values, errors, now)
    if errors:
        raise invalid(errors)
    return values


def _lead_time_warnings(values: dict, now: datetime) -> list[CoreError]:
    """Online lead times (Decree 154 Art 23) only warn for an ad-hoc session."""
    if values["mode"] == SessionMode.IN_PERSON:
        return []
    from .working_days import work_calendar

    warnings = []
    day = to_local(values["starts_at"]).date()
    if work_calendar().add_working_days(day, -LINK_TEST_WORKING_DAYS) < local_today():
        warnings.append(CoreError("link_test_late", N_(
            "Không còn đủ {days} ngày làm việc để thử đường truyền trước buổi tiếp trực tuyến."),
            days=LINK_TEST_WORKING_DAYS))
    if values["starts_at"] - now < timedelta(minutes=CONNECT_BEFORE_MINUTES):
        warnings.append(CoreError("connect_late", N_(
            "Buổi tiếp bắt đầu trong vòng {minutes} phút: các điểm cầu cần kết nối ngay."),
            minutes=CONNECT_BEFORE_MINUTES))
    return warnings


def create_adhoc_session(data: dict, actor) -> tuple[ReceptionSession, list[CoreError]]:
    """Create and publish an ad-hoc (đột xuất) session with its stated reason.

    It takes bookings at once; lead-time rules only give warnings.
    """
    now = utcnow()
    values = parse_adhoc_body(data, now)
    check_overlap(values["host"].id, [(values["starts_at"], values["ends_at"])])
    reception = ReceptionSession(
        unit_id=values["unit"].id, host_id=values["host"].id, kind=SessionKind.ADHOC,
        starts_at=values["starts_at"], ends_at=values["ends_at"],
        slot_minutes=values["slot_minutes"], mode=values["mode"],
        status=SessionStatus.SCHEDULED,
        location=values["location"], reason=values["reason"], published_at=now,
        created_by_id=getattr(actor, "id", None))
    db.session.add(reception)
    db.session.flush()
    record_event("session_create", actor=actor, target=f"session:{reception.id}",
                 kind=SessionKind.ADHOC, unit=values["unit"].code, reason=values["reason"])
    return reception, _lead_time_warnings(values, now)


def _require_open(reception: ReceptionSession, now: datetime) -> None:
    if reception.status not in OPEN_SESSION_STATUSES or reception.ends_at <= now:
        raise CoreError("invalid_state", N_(
            "Buổi tiếp đã kết thúc hoặc đã bị hủy; không thể thay đổi."))


def cancel_session(reception: ReceptionSession, reason: object, actor) -> int:
    """Cancel a session with a reason: its open bookings are cancelled and their
    citizens told. The session stays published as cancelled (higher SEQUENCE).

    Returns the number of bookings cancelled.
    """
    errors: dict[str, CoreError] = {}
    reason = _text({"reason": reason}, "reason", REASON_LENGTH, errors)
    if errors:
        raise invalid(errors)
    _require_open(reception, utcnow())
    reception.status, reception.cancel_reason = SessionStatus.CANCELLED, reason
    reception.sequence += 1
    count = occupants().cancel(reception, reason, actor)
    db.session.execute(delete(SlotHold).where(SlotHold.session_id == reception.id))
    db.session.flush()
    record_event("session_cancel", actor=actor, target=f"session:{reception.id}",
                 reason=reason, bookings=count)
    return count


def assign_deputy(reception: ReceptionSession, deputy_id: object, authorisation: object,
                  actor) -> ReceptionSession:
    """Record that a deputy authorised in writing hosts in the chairman's place.

    ``deputy_id`` None gives the session back to its host. The deputy must be a
    deputy (or another host) of exactly the session's unit.
    """
    from .services import parse_id, user_with_role_at

    _require_open(reception, utcnow())
    errors: dict[str, CoreError] = {}
    deputy, text = None, ""
    if deputy_id is not None:
        candidate = parse_id(deputy_id)
        deputy = user_with_role_at(candidate, reception.unit, ("deputy", "host"))
        if deputy is None or deputy.id == reception.host_id:
            errors["deputy_id"] = CoreError("invalid_deputy", N_(
                "Người chủ trì thay phải là Phó Chủ tịch của đơn vị tổ chức buổi tiếp."),
                field="deputy_id")
        text = _text({"authorisation": authorisation}, "authorisation", AUTHORISATION_LENGTH,
                     errors)
    if errors:
        raise invalid(errors)
    reception.acting_host_id = deputy.id if deputy else None
    reception.acting_host = deputy
    reception.deputy_authorisation = text if deputy else ""
    reception.sequence += 1
    for booking in occupants().open_in(reception):
        notify_deputy(booking, reception)
    db.session.flush()
    record_event("session_deputy", actor=actor, target=f"session:{reception.id}",
                 deputy_id=reception.acting_host_id,
                 authorisation=reception.deputy_authorisation)
    return reception


def list_sessions(unit_ids, first: datetime, last: datetime) -> list[ReceptionSession]:
    """Published sessions of the units (``None`` = all) starting in [first, last), by time."""
    query = (select(ReceptionSession)
             .where(ReceptionSession.starts_at >= first, ReceptionSession.starts_at < last,
                    ReceptionSession.published_at <= utcnow())
             .options(selectinload(ReceptionSession.host),
                      selectinload(ReceptionSession.acting_host),
                      selectinload(ReceptionSession.unit))
             .order_by(ReceptionSession.starts_at, ReceptionSession.id))
    if unit_ids is not None:
        query = query.where(ReceptionSession.unit_id.in_(list(unit_ids)))
    return list(db.session.scalars(query))


def session_dict(reception: ReceptionSession, counts: tuple[int, int] | None = None,
                 with_slots: bool = False) -> dict:
    """The JSON of a session (CONTRACT §3), with its slots when asked."""
    if counts is None:
        counts = free_counts([reception])[reception.id]
    data = {"id": reception.id, "unit_code": reception.unit.code, "host_id": reception.host_id,
            "host_name": reception.host.full_name, "kind": reception.kind,
            "starts_at": iso_local(reception.starts_at), "ends_at": iso_local(reception.ends_at),
            "status": reception.status, "mode": reception.mode,
            "slots_total": counts[0], "slots_free": counts[1]}
    if with_slots:
        data["slots"] = session_slots(reception)
    return data


@dataclass(frozen=True)
class SessionCard:
    """A published session as the home page and public lists show it."""

    id: int
    unit_code: str
    unit_name: str
    host_name: str
    starts_at: datetime
    ends_at: datetime
    kind: str
    mode: str
    mode_label: str
    slots_total: int
    slots_free: int


def next_public_sessions(limit: int = 8) -> list[SessionCard]:
    """The next published sessions still to come, across all units."""
    now = utcnow()
    query = (select(ReceptionSession)
             .where(ReceptionSession.status.in_(OPEN_SESSION_STATUSES),
                    ReceptionSession.ends_at > now, ReceptionSession.published_at <= now)
             .options(selectinload(ReceptionSession.host),
                      selectinload(ReceptionSession.acting_host),
                      selectinload(ReceptionSession.unit))
             .order_by(ReceptionSession.starts_at, ReceptionSession.id).limit(limit))
    receptions = list(db.session.scalars(query))
    counts = free_counts(receptions, now)
    return [SessionCard(r.id, r.unit.code, r.unit.name, r.hosted_by.full_name, r.starts_at,
                        r.ends_at, r.kind, r.mode, str(MODE_LABELS.get(r.mode, r.mode)),
                        *counts[r.id]) for r in receptions]
