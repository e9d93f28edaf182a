"""/api/v1/schedules (create, preview, read, edit, stop) and /api/v1/compliance."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from sessions.errors import N_, CoreError

from ..auth.access import has_unit_role
from ..errors import ApiError
from ..extensions import db
from ..i18n import core_message
from ..schedules import services
from ..schedules.compliance import parse_month, unit_compliance
from ..schedules.models import HOLIDAY_POLICIES, MODES, Schedule, SessionStatus
from ..timeutil import iso_local
from ..units.services import unit_by_code
from . import bp
from .helpers import current_api_user, document, json_body, query_param, validation_error

STAFF = ("secretary", "admin")


def warnings_json(warnings) -> list[dict]:
    """Warnings as ``[{"code", "message"}]`` in the caller's language."""
    return [{"code": w.code, "message": core_message(w)} for w in warnings]


def require_unit_scope(user, data: dict) -> None:
    """403 when the body names a known unit the caller is not secretary of."""
    unit = services.parse_unit(data.get("unit_code"), {})
    if unit is not None and not has_unit_role(user, unit, "secretary"):
        raise ApiError(403)


def _schedule_or_404(schedule_id: int, user) -> Schedule:
    schedule = db.session.get(Schedule, schedule_id)
    if schedule is None:
        raise ApiError(404, "not_found", _("Không tìm thấy lịch tiếp."))
    if not has_unit_role(user, schedule.unit, "secretary"):
        raise ApiError(403)
    return schedule


def _created_json(schedule: Schedule, warnings) -> dict:
    sessions = [{"id": r.id, "starts_at": iso_local(r.starts_at), "ends_at": iso_local(r.ends_at)}
                for r in sorted(schedule.sessions, key=lambda r: r.starts_at)
                if r.status != SessionStatus.CANCELLED]
    return {"id": schedule.id, "sessions": sessions, "warnings": warnings_json(warnings)}


@bp.post("/schedules")
def create_schedule():
    user = current_api_user(*STAFF)
    data = json_body()
    require_unit_scope(user, data)
    schedule, warnings = services.create_schedule(data, user)
    return jsonify(_created_json(schedule, warnings)), 201


@bp.post("/schedules/preview")
def preview_schedule():
    user = current_api_user(*STAFF)
    data = json_body()
    require_unit_scope(user, data)
    occurrences, warnings = services.preview_schedule(data)
    sessions = []
    for o in occurrences:
        item = {"starts_at": o.starts_at.isoformat(timespec="seconds"),
                "ends_at": o.ends_at.isoformat(timespec="seconds")}
        if o.shifted_from is not None:
            item["shifted_from"] = o.shifted_from.isoformat()
        sessions.append(item)
    return jsonify({"sessions": sessions, "warnings": warnings_json(warnings)})


@bp.get("/schedules/<int:id>")
def get_schedule(id: int):
    schedule = _schedule_or_404(id, current_api_user(*STAFF))
    return jsonify(services.schedule_json(schedule))


@bp.put("/schedules/<int:id>")
def update_schedule(id: int):
    user = current_api_user(*STAFF)
    schedule = _schedule_or_404(id, user)
    data = json_body()
    schedule, warnings = services.update_schedule(schedule, data, user)
    return jsonify(_created_json(schedule, warnings))


@bp.delete("/schedules/<int:id>")
def stop_schedule(id: int):
    user = current_api_user(*STAFF)
    schedule = _schedule_or_404(id, user)
    notices = services.deactivate_schedule(schedule, user)
    return jsonify({"id": schedule.id, "is_active": False, "warnings": warnings_json(notices)})


@bp.get("/compliance")
def compliance():
    user = current_api_user("secretary", "host", "admin")  # before reading the query
    code, month_text = query_param("unit"), query_param("month")
    errors = {}
    if not code:
        errors["unit"] = CoreError("required", N_("Thông tin này là bắt buộc."), field="unit")
    try:
        year, month = parse_month(month_text)
    except CoreError as error:
        errors["month"] = error
    if errors:
        raise validation_error(errors)
    unit = unit_by_code(code)
    if unit is None:
        raise ApiError(404, "not_found", _("Không tìm thấy đơn vị."))
    if not has_unit_role(user, unit, "secretary", "host"):
        raise ApiError(403)
    return jsonify([row.to_dict() for row in unit_compliance(unit, year, month)])


_TIME = {"type": "string", "format": "date-time"}
SCHEDULE_BODY = {
    "type": "object",
    "required": ["unit_code", "host_id", "rrule", "start_time", "duration_minutes",
                 "slot_minutes", "mode", "valid_from", "valid_until", "holiday_policy"],
    "properties": {
        "unit_code": {"type": "string"}, "host_id": {"type": "integer"},
        "rrule": {"type": "string", "example": "FREQ=MONTHLY;BYDAY=3TU"},
        "start_time": {"type": "string", "example": "08:00"},
        "duration_minutes": {"type": "integer"}, "slot_minutes": {"type": "integer"},
        "mode": {"type": "string", "enum": list(MODES)},
        "valid_from": {"type": "string", "format": "date"},
        "valid_until": {"type": "string", "format": "date"},
        "holiday_policy": {"type": "string", "enum": list(HOLIDAY_POLICIES)},
        "location": {"type": "string"}}}
_WARNINGS = {"type": "array", "items": {"type": "object", "properties": {
    "code": {"type": "string"}, "message": {"type": "string"}}}}
_CREATED = {"type": "object", "properties": {
    "id": {"type": "integer"}, "warnings": _WARNINGS,
    "sessions": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "starts_at": _TIME, "ends_at": _TIME}}}}}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
document("/schedules", "post", "Create a periodic schedule (secretary of the unit, admin); "
         "409 overlap", auth=True, body=SCHEDULE_BODY,
         responses={"201": _json("The schedule and the sessions generated so far", _CREATED)})
document("/schedules/preview", "post", "The sessions of a schedule over its whole validity "
         "period; nothing is saved", auth=True, body=SCHEDULE_BODY,
         responses={"200": _json("Sessions and warnings", {"type": "object", "properties": {
             "warnings": _WARNINGS, "sessions": {"type": "array", "items": {
                 "type": "object", "properties": {"starts_at": _TIME, "ends_at": _TIME,
                                                  "shifted_from": {"type": "string"}}}}}})})
document("/schedules/{id}", "get", "A schedule (secretary of the unit, admin)", auth=True,
         params=_ID)
document("/schedules/{id}", "put", "Edit a schedule (same body as POST; the unit cannot "
         "change). Future sessions without bookings are regenerated; booked sessions that "
         "must move are rescheduled and their citizens notified (see warnings)", auth=True,
         body=SCHEDULE_BODY, params=_ID,
         responses={"200": _json("The schedule, its sessions and notices", _CREATED)})
document("/schedules/{id}", "delete", "Stop a schedule: future sessions without bookings are "
         "removed, booked ones kept", auth=True, params=_ID)
document("/compliance", "get", "Compliance with the minimum frequency of periodic reception "
         "per host for a month (secretary, chairman of the unit or above, admin). "
         "held = status held, or ended in the past and not cancelled; periodic sessions only",
         auth=True, params=[
             {"name": "unit", "in": "query", "required": True, "schema": {"type": "string"}},
             {"name": "month", "in": "query", "required": True,
              "schema": {"type": "string", "example": "2026-08"}}],
         responses={"200": _json("One row per host", {"type": "array", "items": {
             "type": "object", "properties": {
                 "host_id": {"type": "integer"}, "required_days": {"type": "integer"},
                 "scheduled_days": {"type": "integer"}, "held_days": {"type": "integer"},
                 "compliant": {"type": "boolean"}, "rule": {"type": "string"}}}})})
