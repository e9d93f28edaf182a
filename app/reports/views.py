"""Web pages of reports: the register download, a session's conclusion notice, and the
dashboard of secretaries and chairmen (charts, tables, CSV of each table)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sessions.errors import CoreError

from ..auth.access import has_unit_role
from ..auth.decorators import roles_required
from ..bookings import refusal_notices
from ..bookings.access import can_manage
from ..bookings.models import Booking
from ..bookings.papers import provide_refusal_notice
from ..doors import refuse
from ..i18n import core_message
from ..minutes.access import reception_role
from ..minutes.lookup import find
from ..schedules.models import ReceptionSession
from ..timeutil import local_today, utcnow
from ..units.services import unit_by_code
from . import dashboard as dash
from . import desk as desk_lists
from . import refusal, services
from .access import may_get_extract

bp = Blueprint("reports", __name__, url_prefix="/reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _period(default_start: date) -> tuple[date, date]:
    """``from``/``to`` of the query string (defaults when absent); 422 when invalid."""
    start = request.args.get("from") or default_start.isoformat()
    end = request.args.get("to") or local_today().isoformat()
    return services.parse_period(start, end)


@bp.get("/register")
@roles_required("secretary")
def register():
    today = local_today()
    units = [u for u in dash.dashboard_units(current_user)
             if has_unit_role(current_user, u, "secretary")]
    return render_template("reports/register.html", units=units,
                           start=today.replace(day=1), end=today)


@bp.get("/register.xlsx")
@roles_required("secretary")
def register_download():
    unit = unit_by_code(request.args.get("unit", ""))
    if unit is None:
        abort(404)
    if not has_unit_role(current_user, unit, "secretary"):
        abort(403)
    try:
        start, end = _period(local_today().replace(day=1))
    except CoreError as exc:
        refuse(exc)
        return redirect(url_for("reports.register"))
    content = services.export_register(unit, start, end, actor=current_user)
    return send_file(BytesIO(content), mimetype=XLSX, as_attachment=True, max_age=0,
                     download_name=services.register_filename(unit, start, end))


@bp.get("/sessions/<int:session_id>/conclusion.docx")
@login_required
def conclusion_download(session_id: int):
    reception = find(ReceptionSession, session_id)
    if reception is None:
        abort(404)
    if reception_role(current_user, reception) not in ("host", "secretary"):
        abort(403)
    content = services.export_conclusion(reception, actor=current_user)
    return send_file(BytesIO(content), mimetype=DOCX, as_attachment=True, max_age=0,
                     download_name=services.conclusion_filename(reception))


@bp.get("/bookings/<int:booking_id>/conclusion-extract.docx")
@login_required
def conclusion_extract_download(booking_id: int):
    """The extract of the conclusion notice for one case (its citizen, its session's
    workers; for a denunciation only those who may see the denouncer)."""
    booking = find(Booking, booking_id)
    if booking is None:
        abort(404)
    if not may_get_extract(current_user, booking):
        abort(403)
    try:
        content = services.export_conclusion_extract(booking, actor=current_user)
    except CoreError as exc:
        refuse(exc)
        return redirect(request.referrer or url_for("main.index"))
    return send_file(BytesIO(content), mimetype=DOCX, as_attachment=True, max_age=0,
                     download_name=services.conclusion_extract_filename(booking))


provide_refusal_notice(refusal.export_refusal_notice, refusal.refusal_notice_filename)


@bp.app_template_global("case_papers")
def case_papers(booking) -> list[dict]:
    """The papers of a case the signed-in person may download: ``[{"label", "url"}]``."""
    papers = []
    if booking.status in services.RECEIVED_STATUSES and may_get_extract(current_user, booking):
        papers.append({"label": _("Trích thông báo kết luận (DOCX)"),
                       "url": url_for("reports.conclusion_extract_download",
                                      booking_id=booking.id)})
    if refusal.needs_notice(booking) and can_manage(current_user, booking):
        papers.append({"label": _("Thông báo từ chối tiếp công dân, Mẫu số 01/TCD (DOCX)"),
                       "url": url_for("bookings.refusal_notice_download", id=booking.id),
                       "issued_at": booking.refusal_notice_issued_at})
    return papers


def _dashboard_request():
    """(unit, start, end, units) of the dashboard asked for; 403/404 as fits."""
    units = dash.dashboard_units(current_user)
    if not units:
        abort(403)
    code = request.args.get("unit") or units[0].code
    unit = unit_by_code(code)
    if unit is None:
        abort(404)
    if not has_unit_role(current_user, unit, *dash.VIEW_ROLES):
        abort(403)
    today = local_today()
    first = date(today.year - (1 if today.month <= 5 else 0), (today.month - 6) % 12 + 1, 1)
    start, end = _period(first)
    return unit, start, end, units


@bp.get("/desk")
@roles_required("secretary", "host", "deputy")
def desk():
    """The start page of secretaries and chairmen: the day's work in one place."""
    data = desk_lists.build_desk(current_user, local_today(), utcnow())
    return render_template("reports/desk.html", data=data, days_late=desk_lists.days_late,
                           notice_link=refusal_notices.download_link)


@bp.get("/")
@roles_required("secretary", "host", "deputy")
def dashboard():
    try:
        unit, start, end, units = _dashboard_request()
    except CoreError as exc:
        refuse(exc)
        return redirect(url_for("reports.dashboard"))
    data = dash.build_dashboard(unit, start, end, local_today())
    return render_template("reports/dashboard.html", unit=unit, units=units, start=start,
                           end=end, data=data, charts=dash.chart_specs(data),
                           columns=dash.COLUMNS)


@bp.get("/dashboard.json")
@roles_required("secretary", "host", "deputy")
def dashboard_json():
    try:
        unit, start, end, _units = _dashboard_request()
    except CoreError as exc:
        return jsonify({"error": exc.code, "message": core_message(exc.error)}), exc.status
    data = dash.build_dashboard(unit, start, end, local_today())
    return jsonify({"unit": unit.code, "from": start.isoformat(), "to": end.isoformat(),
                    "tables": data, "charts": dash.chart_specs(data)})


@bp.get("/dashboard/<table>.csv")
@roles_required("secretary", "host", "deputy")
def dashboard_csv(table: str):
    if table not in dash.TABLES:
        abort(404)
    try:
        unit, start, end, _units = _dashboard_request()
    except CoreError as exc:
        refuse(exc)
        return redirect(url_for("reports.dashboard"))
    data = dash.build_dashboard(unit, start, end, local_today())
    name = f"{table}-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    return Response(dash.table_csv(data, table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

