"""/api/v1/reports/register.xlsx, /api/v1/sessions/<id>/conclusion.docx, and a booking's
own papers: the extract of the conclusion notice and form 01/TCD (refusal notice)."""

from __future__ import annotations

from io import BytesIO

from flask import send_file
from flask_babel import gettext as _

from ..auth.access import has_unit_role
from ..bookings.access import can_manage, can_view
from ..bookings.models import Booking
from ..errors import ApiError
from ..extensions import db
from ..minutes.access import reception_role
from ..minutes.lookup import find
from ..reports import refusal, services
from ..reports.access import may_get_extract
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


def _booking(id: int, allowed):
    """404 for an unknown booking and for one the caller may not even view; 403 when the
    caller views it but may not have this paper."""
    user = current_api_user()
    booking = db.session.get(Booking, id)
    if booking is None or not (can_view(user, booking) or may_get_extract(user, booking)):
        raise ApiError(404, "not_found", _("Không tìm thấy vụ việc."))
    if not allowed(user, booking):
        raise ApiError(403)
    return user, booking


@bp.get("/bookings/<int:id>/conclusion-extract.docx")
def conclusion_extract_docx(id: int):
    user, booking = _booking(id, may_get_extract)
    content = services.export_conclusion_extract(booking, actor=user)
    return _download(content, DOCX, services.conclusion_extract_filename(booking))


@bp.get("/bookings/<int:id>/refusal-notice.docx")
def refusal_notice_docx(id: int):
    user, booking = _booking(id, can_manage)
    content = refusal.export_refusal_notice(booking, actor=user)
    return _download(content, DOCX, refusal.refusal_notice_filename(booking))


_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _file(mimetype: str, description: str) -> dict:
    """The OpenAPI answer of a download: one file of ``mimetype``."""
    return {"200": {"description": description, "content": {
        mimetype: {"schema": {"type": "string", "format": "binary"}}}}}


def _q(name: str, fmt: str | None = None) -> dict:
    schema = {"type": "string"} | ({"format": fmt} if fmt else {})
    return {"name": name, "in": "query", "required": True, "schema": schema}


document("/reports/register.xlsx", "get",
         "The citizen-reception register (form 03/TCD) of exactly one unit: accepted or "
         "served bookings whose session date lies in from…to, both included; denouncers "
         "masked; the export is audited (secretary of the unit, admin)", auth=True,
         params=[_q("unit"), _q("from", "date"), _q("to", "date")],
         responses=_file(XLSX, "XLSX workbook"))
document("/sessions/{id}/conclusion.docx", "get",
         "The notice of the chairman's conclusions of a session (Decree 30/2020 layout): a "
         "draft headed DỰ THẢO, in the future tense, until the session has ended; sent to "
         "the agencies assigned and the chairmen, not to the citizens (each gets the extract "
         "of their own case); denouncers masked; the export is audited (secretary, host)",
         auth=True,
         params=[_ID],
         responses=_file(DOCX, "DOCX document"))
document("/bookings/{id}/conclusion-extract.docx", "get",
         "The extract of a session's conclusion notice for one accepted or served booking: "
         "only that case (the booking's citizen; the session's acting host and secretaries "
         "of the unit; for a denunciation only those who may see the denouncer); 404 "
         "unknown; 409 invalid_state when the booking was not received; audited",
         auth=True,
         params=[_ID],
         responses=_file(DOCX, "DOCX document"))
document("/bookings/{id}/refusal-notice.docx", "get",
         "Form 01/TCD (Thông báo về việc từ chối tiếp công dân) for a booking refused on a "
         "ground that requires a written notice (sessions.rules.needs_written_notice): "
         "issuing body, number, title, addressee, the ground with its source, signer "
         "(secretary of the unit); 409 invalid_state otherwise; 404 unknown; the first "
         "issue is stored on the booking and every issue audited", auth=True,
         params=[_ID],
         responses=_file(DOCX, "DOCX document"))
