"""/api/v1/reports/register.xlsx and /api/v1/sessions/<id>/conclusion.docx."""

from __future__ import annotations

from io import BytesIO

from flask import send_file
from flask_babel import gettext as _

from ..auth.access import has_unit_role
from ..errors import ApiError
from ..minutes.access import reception_role
from ..minutes.lookup import find
from ..reports import services
from ..schedules.models import ReceptionSession
from ..units.services import unit_by_code
from . import bp
from .helpers import current_api_user, document, query_param

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(content: bytes, mimetype: str, name: str):
    return send_file(BytesIO(content), mimetype=mimetype, as_attachment=True,
                     download_name=name, max_age=0)


@bp.get("/reports/register.xlsx")
def register_xlsx():
    user = current_api_user("secretary", "admin")
    code = query_param("unit")
    if not code:
        raise ApiError(422, "validation_error", _("Vui lòng chọn đơn vị."),
                       errors={"unit": _("Vui lòng chọn đơn vị.")})
    start, end = services.parse_period(query_param("from"), query_param("to"))
    unit = unit_by_code(code)
    if unit is None:
        raise ApiError(404, "not_found", _("Không tìm thấy đơn vị."))
    if not has_unit_role(user, unit, "secretary"):
        raise ApiError(403)
    content = services.export_register(unit, start, end, actor=user)
    return _download(content, XLSX, services.register_filename(unit, start, end))


@bp.get("/sessions/<int:id>/conclusion.docx")
def conclusion_docx(id: int):
    user = current_api_user()
    reception = find(ReceptionSession, id)
    if reception is None:
        raise ApiError(404, "not_found", _("Không tìm thấy buổi tiếp."))
    if reception_role(user, reception) not in ("host", "secretary"):
        raise ApiError(403)
    content = services.export_conclusion(reception, actor=user)
    return _download(content, DOCX, services.conclusion_filename(reception))


def _q(name: str, fmt: str | None = None) -> dict:
    schema = {"type": "string"} | ({"format": fmt} if fmt else {})
    return {"name": name, "in": "query", "required": True, "schema": schema}


document("/reports/register.xlsx", "get",
         "The citizen-reception register (form 03/TCD) of exactly one unit: accepted or "
         "served bookings whose session date lies in from…to, both included; denouncers "
         "masked; the export is audited (secretary of the unit, admin)", auth=True,
         params=[_q("unit"), _q("from", "date"), _q("to", "date")],
         responses={"200": {"description": "XLSX workbook", "content": {
             XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
document("/sessions/{id}/conclusion.docx", "get",
         "The notice of the chairman's conclusions of a session (Decree 30/2020 layout); "
         "denouncers masked; the export is audited (secretary, host)", auth=True,
         params=[{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
         responses={"200": {"description": "DOCX document", "content": {
             DOCX: {"schema": {"type": "string", "format": "binary"}}}}})
