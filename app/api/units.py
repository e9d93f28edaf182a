"""/api/v1/units, /hosts, /agencies, /points."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from ..auth.access import has_unit_role
from ..auth.models import STAFF_ROLES
from ..errors import ApiError
from ..points.services import points_of
from ..units import services
from ..units.models import LEVELS
from . import bp
from .helpers import current_api_user, document, query_param


def _unit_or_404(code: str):
    unit = services.unit_by_code(code)
    if unit is None:
        raise ApiError(404, "not_found", _("Không tìm thấy đơn vị."))
    return unit


@bp.get("/units")
def units():
    level = query_param("level") or None
    if level is not None and level not in LEVELS:
        raise ApiError(422, "validation_error", _("Cấp đơn vị không hợp lệ."),
                       errors={"level": _("Cấp đơn vị không hợp lệ.")})
    rows = services.list_units(level, query_param("parent") or None)
    return jsonify([u.to_dict() for u in rows])


@bp.get("/hosts")
def hosts():
    unit = _unit_or_404(query_param("unit"))
    return jsonify([services.host_dict(h, unit) for h in services.hosts_of(unit)])


@bp.get("/agencies")
def agencies():
    user = current_api_user()
    unit = _unit_or_404(query_param("unit"))
    if not has_unit_role(user, unit, *STAFF_ROLES):
        raise ApiError(403)
    return jsonify([a.to_dict() for a in services.agencies_of(unit)])


@bp.get("/points")
def points():
    """The active reception points of exactly that unit (CONTRACT §10)."""
    unit = _unit_or_404(query_param("unit"))
    return jsonify([p.to_dict() for p in points_of(unit)])


def _q(name, required=False, enum=None):
    schema = {"type": "string"}
    if enum:
        schema["enum"] = list(enum)
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _list(description: str, properties: dict) -> dict:
    return {"200": {"description": description, "content": {"application/json": {"schema": {
        "type": "array", "items": {"type": "object", "required": list(properties),
                                   "properties": properties}}}}}}


_TEXT, _NULLABLE_TEXT = {"type": "string"}, {"type": "string", "nullable": True}
document("/units", "get", "Administrative units",
         params=[_q("level", enum=LEVELS), _q("parent")],
         responses=_list("Units", {"code": _TEXT, "name": _TEXT,
                                   "level": {"type": "string", "enum": list(LEVELS)},
                                   "parent_code": _NULLABLE_TEXT}))
document("/hosts", "get", "Hosts (chairmen) of exactly one unit", params=[_q("unit", True)],
         responses=_list("Hosts", {"id": {"type": "integer"}, "full_name": _TEXT,
                                   "title": _TEXT, "unit_code": _TEXT}))
document("/agencies", "get", "Agencies of a unit (staff)", auth=True,
         params=[_q("unit", True)],
         responses=_list("Agencies", {"code": _TEXT, "name": _TEXT, "unit_code": _TEXT}))
document("/points", "get", "Active reception points (điểm cầu) of exactly one unit: its "
         "central point and its satellite points", params=[_q("unit", True)],
         responses=_list("Points", {"code": _TEXT, "name": _TEXT, "unit_code": _TEXT,
                                    "address": _TEXT,
                                    "kind": {"type": "string",
                                             "enum": ["central", "satellite"]}}))
