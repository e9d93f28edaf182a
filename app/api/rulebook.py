"""/api/v1/refusal-grounds: the legal grounds for refusing to receive a citizen (staff)."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from sessions.errors import CoreError
from sessions.recurrence import parse_date

from ..auth.models import STAFF_ROLES
from ..errors import ApiError
from ..rulebook import services as rulebook
from ..timeutil import local_today
from . import bp
from .helpers import api_caller, document, query_param


@bp.get("/refusal-grounds")
def refusal_grounds():
    """Every ground in force on ``date`` (today by default), in the law's order."""
    api_caller(*STAFF_ROLES)
    errors = {}
    on = local_today()
    if query_param("date"):
        try:
            on = parse_date(query_param("date"))
        except CoreError:
            errors["date"] = _("Ngày phải có dạng YYYY-MM-DD.")
    arises = query_param("arises") or None
    if arises is not None and arises not in ("triage", "session"):
        errors["arises"] = _("Giá trị phải là triage hoặc session.")
    if errors:
        raise ApiError(422, "validation_error", _("Dữ liệu không hợp lệ."), errors=errors)
    return jsonify([{"code": g.code, "text": g.text, "source": g.source,
                     "written_notice": g.written_notice, "arises": g.arises,
                     "effective_from": g.effective_from.isoformat()}
                    for g in rulebook.grounds_on(on, arises)])


_TEXT = {"type": "string"}
document("/refusal-grounds", "get",
         "Grounds for refusing to receive a citizen (Law Art 9; Decree 154/2026 Art 4.1), staff",
         auth=True,
         params=[{"name": "date", "in": "query", "required": False,
                  "schema": {"type": "string", "format": "date"}},
                 {"name": "arises", "in": "query", "required": False,
                  "schema": {"type": "string", "enum": ["triage", "session"]}}],
         responses={"200": {"description": "Grounds in force on the date", "content": {
             "application/json": {"schema": {"type": "array", "items": {
                 "type": "object",
                 "required": ["code", "text", "source", "written_notice"],
                 "properties": {
                     "code": _TEXT, "text": _TEXT, "source": _TEXT,
                     "written_notice": {"type": "boolean"},
                     "arises": {"type": "string", "enum": ["triage", "session"]},
                     "effective_from": {"type": "string", "format": "date"}}}}}}}})
