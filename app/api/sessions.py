"""/api/v1/sessions: published sessions, ad-hoc sessions, cancelling, deputies."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import jsonify
from flask_babel import gettext as _

from sessions.errors import N_, CoreError, invalid
from sessions.recurrence import parse_date

from ..auth.access import has_unit_role
from ..errors import ApiError
from ..extensions import db
from ..schedules import services
from ..schedules.availability import free_counts
from ..schedules.models import MODES, SESSION_KINDS, SESSION_STATUSES, ReceptionSession
from ..schedules.pagecache import cached_public_page
from ..timeutil import local_today, to_utc_naive, utcnow
from ..units.services import unit_by_code
from . import bp
from .helpers import current_api_user, document, json_body, query_param, validation_error
from .schedules import STAFF, require_unit_scope, warnings_json

MAX_RANGE_DAYS = 800
DEFAULT_RANGE_DAYS = 31


def _day_param(name: str, default: date, errors: dict) -> date:
    text = query_param(name)
    if not text:
        return default
    try:
        day = parse_date(text)
    except CoreError as error:
        error.field = name
        errors[name] = error
        return default
    error = services.check_date_range(day, name)
    if error is not None:
        errors[name] = error
    return day


def _range() -> tuple[date, date]:
    """``from`` and ``to`` (both included) from the query, or 422."""
    errors: dict[str, CoreError] = {}
    first = _day_param("from", local_today(), errors)
    base = local_today() if errors else first
    last = _day_param("to", base + timedelta(days=DEFAULT_RANGE_DAYS), errors)
    if not errors and last < first:
        errors["to"] = CoreError("invalid_period", N_("Ngày “to” không được trước ngày “from”."),
                                 field="to")
    elif not errors and (last - first).days > MAX_RANGE_DAYS:
        errors["to"] = CoreError("range_too_long", N_(
            "Khoảng thời gian tối đa {days} ngày."), field="to", days=MAX_RANGE_DAYS)
    if errors:
        raise validation_error(errors)
    return first, last


def _reception_or_404(session_id: int) -> ReceptionSession:
    reception = db.session.get(ReceptionSession, session_id)
    if reception is None or reception.published_at > utcnow():
        raise ApiError(404, "not_found", _("Không tìm thấy buổi tiếp."))
    return reception


@bp.get("/sessions")
@cached_public_page
def list_sessions():
    code = query_param("unit")
    if not code:
        raise validation_error({"unit": CoreError("required", N_("Thông tin này là bắt buộc."),
                                                  field="unit")})
    first, last = _range()
    unit = unit_by_code(code)
    if unit is None:
        raise ApiError(404, "not_found", _("Không tìm thấy đơn vị."))
    receptions = services.list_sessions(
        [unit.id], to_utc_naive(datetime.combine(first, datetime.min.time())),
        to_utc_naive(datetime.combine(last + timedelta(days=1), datetime.min.time())))
    counts = free_counts(receptions)
    return jsonify([services.session_dict(r, counts[r.id]) for r in receptions])


@bp.get("/sessions/<int:id>")
def get_session(id: int):
    return jsonify(services.session_dict(_reception_or_404(id), with_slots=True))


@bp.post("/sessions")
def create_session():
    user = current_api_user(*STAFF)
    data = json_body()
    require_unit_scope(user, data)
    reception, warnings = services.create_adhoc_session(data, user)
    body = services.session_dict(reception, with_slots=True)
    body.update(reason=reception.reason, warnings=warnings_json(warnings))
    return jsonify(body), 201


@bp.post("/sessions/<int:id>/cancel")
def cancel_session(id: int):
    user = current_api_user(*STAFF)
    reception = _reception_or_404(id)
    if not has_unit_role(user, reception.unit, "secretary"):
        raise ApiError(403)
    data = json_body()
    cancelled = services.cancel_session(reception, data.get("reason"), user)
    body = services.session_dict(reception)
    body.update(cancel_reason=reception.cancel_reason, bookings_cancelled=cancelled)
    return jsonify(body)


@bp.post("/sessions/<int:id>/deputy")
def set_deputy(id: int):
    user = current_api_user(*STAFF, "host")
    reception = _reception_or_404(id)
    if not (has_unit_role(user, reception.unit, "secretary") or user.id == reception.host_id):
        raise ApiError(403)
    data = json_body()
    if not isinstance(data.get("authorisation"), str):  # required, a text (even when empty)
        raise invalid({"authorisation": CoreError(
            "invalid_type", N_("Dữ liệu không hợp lệ."), field="authorisation")})
    services.assign_deputy(reception, data.get("deputy_id"), data.get("authorisation"),
                           user)
    body = services.session_dict(reception)
    acting = reception.acting_host
    body.update(acting_host_id=acting.id if acting else None,
                acting_host_name=acting.full_name if acting else None,
                deputy_authorisation=reception.deputy_authorisation)
    return jsonify(body)


_TIME = {"type": "string", "format": "date-time"}
_SESSION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "unit_code": {"type": "string"}, "host_id": {"type": "integer"},
    "host_name": {"type": "string"}, "kind": {"type": "string", "enum": list(SESSION_KINDS)},
    "starts_at": _TIME, "ends_at": _TIME,
    "status": {"type": "string", "enum": list(SESSION_STATUSES)},
    "mode": {"type": "string", "enum": list(MODES)},
    "slots_total": {"type": "integer"}, "slots_free": {"type": "integer"}}}
_SLOTS = {"type": "array", "items": {"type": "object", "properties": {
    "start": _TIME, "end": _TIME, "free": {"type": "boolean"}}}}
_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _q(name: str, required: bool = False, fmt: str | None = None) -> dict:
    schema = {"type": "string"}
    if fmt:
        schema["format"] = fmt
    return {"name": name, "in": "query", "required": required, "schema": schema}


document("/sessions", "get", "Published sessions of exactly one unit, by start time "
         "(from/to: local dates, both included; default today and 31 days on)",
         params=[_q("unit", True), _q("from", fmt="date"), _q("to", fmt="date")],
         responses={"200": _json("Sessions", {"type": "array", "items": _SESSION})})
document("/sessions/{id}", "get", "One published session with its slots (free = bookable now)",
         params=_ID, responses={"200": _json("The session", {"allOf": [_SESSION, {
             "type": "object", "properties": {"slots": _SLOTS}}]})})
document("/sessions", "post", "Create an ad-hoc session (secretary of the unit, admin): any "
         "start at least one minute ahead; lead-time rules only warn; 409 overlap", auth=True,
         body={"type": "object", "required": ["unit_code", "host_id", "starts_at", "ends_at",
                                              "slot_minutes", "mode", "reason"],
               "properties": {"unit_code": {"type": "string"}, "host_id": {"type": "integer"},
                              "starts_at": _TIME, "ends_at": _TIME,
                              "slot_minutes": {"type": "integer"},
                              "mode": {"type": "string", "enum": list(MODES)},
                              "reason": {"type": "string"}, "location": {"type": "string"}}},
         responses={"201": _json("The session, its slots, reason and warnings", _SESSION)})
document("/sessions/{id}/cancel", "post", "Cancel a session with a reason (secretary of the "
         "unit, admin): its open bookings are cancelled and their citizens notified; "
         "409 invalid_state when it is over or already cancelled", auth=True, params=_ID,
         body={"type": "object", "required": ["reason"],
               "properties": {"reason": {"type": "string"}}})
document("/sessions/{id}/deputy", "post", "A deputy authorised in writing hosts in the "
         "chairman's place (secretary of the unit, admin, the host); deputy_id null gives the "
         "session back to its host", auth=True, params=_ID,
         body={"type": "object", "required": ["deputy_id", "authorisation"],
               "properties": {"deputy_id": {"type": "integer", "nullable": True},
                              "authorisation": {"type": "string"}}})
