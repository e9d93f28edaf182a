"""Secretaries' pages: schedules (create, preview, edit, stop), ad-hoc sessions,
compliance; the administrators' holidays page. Routes of the ``schedules`` blueprint."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sessions.errors import CoreError

from ..auth.access import has_unit_role
from ..auth.decorators import roles_required
from ..doors import json_refusal, refuse
from ..extensions import db
from ..i18n import core_message
from ..timeutil import local_today, utcnow
from . import pages, services
from .availability import free_counts
from .compliance import parse_month, unit_compliance
from .forms import AdhocForm, HolidayForm, ScheduleForm, as_choices
from .models import HolidayOverride, Schedule
from .views import bp, flash_warnings
from .working_days import add_holiday_override, holidays_of_year, remove_holiday_override


def _scope():
    return services.unit_scope_ids(current_user, "secretary")


def _fill_choices(form) -> None:
    units = pages.units_with_hosts(_scope())
    form.unit_code.choices = as_choices({u.code: f"{u.name} ({u.code})" for u in units})
    form.host_id.choices = as_choices(pages.host_choices(units))


def _default_pair(form) -> None:
    """Start on the secretary's own unit (the highest one) and that unit's chairman."""
    units = pages.units_with_hosts(_scope())
    if not units:
        return
    own = pages.own_unit(current_user, units, "secretary")
    form.unit_code.data = own.code
    host = next(iter(pages.host_choices([own])), None)
    form.host_id.data = host


def _check_unit(code: str) -> None:
    unit = services.parse_unit(code, {})
    if unit is not None and not has_unit_role(current_user, unit, "secretary"):
        abort(403)


@bp.get("/quan-ly-lich")
@roles_required("secretary")
def manage():
    scope = _scope()
    query = (select(Schedule).options(selectinload(Schedule.unit), selectinload(Schedule.host))
             .order_by(Schedule.is_active.desc(), Schedule.unit_id, Schedule.id))
    if scope is not None:
        query = query.where(Schedule.unit_id.in_(list(scope)))
    now = utcnow()
    upcoming = services.list_sessions(scope, now - timedelta(hours=12),
                                      now + timedelta(days=62))[:200]
    return render_template("schedules/manage.html", schedules=list(db.session.scalars(query)),
                           upcoming=upcoming, counts=free_counts(upcoming))


def _preview(form, body: dict):
    try:
        occurrences, warnings = services.preview_schedule(body)
    except CoreError as exc:
        refuse(exc, form)
        return None
    return {"sessions": occurrences, "warnings": [core_message(w) for w in warnings]}


def _save_schedule(form, schedule: Schedule | None):
    """Create or update from the form; a redirect when saved, else None."""
    body = form.body()
    _check_unit(body["unit_code"])
    try:
        if schedule is None:
            schedule, warnings = services.create_schedule(body, current_user)
        else:
            schedule, warnings = services.update_schedule(schedule, body, current_user)
    except CoreError as exc:
        refuse(exc, form)
        return None
    flash(_("Đã lưu lịch tiếp định kỳ và công bố các buổi tiếp."), "success")
    flash_warnings(warnings)
    return redirect(url_for(".manage"))


def _schedule_page(form, schedule: Schedule | None):
    _fill_choices(form)
    preview = None
    if form.validate_on_submit():
        if request.form.get("action") == "preview":
            _check_unit(form.body()["unit_code"])
            preview = _preview(form, form.body())
        else:
            done = _save_schedule(form, schedule)
            if done is not None:
                return done
    status = 422 if form.errors and request.method == "POST" else 200
    return render_template("schedules/schedule_form.html", form=form, preview=preview,
                           schedule=schedule), status


@bp.route("/quan-ly-lich/lich-moi", methods=["GET", "POST"])
@roles_required("secretary")
def schedule_new():
    form = ScheduleForm()
    if request.method == "GET":
        today = local_today()
        form.valid_from.data = today.isoformat()
        form.valid_until.data = (date(today.year + 1, today.month, min(today.day, 28))
                                 - timedelta(days=1)).isoformat()
    return _schedule_page(form, None)


@bp.route("/quan-ly-lich/<int:schedule_id>/sua", methods=["GET", "POST"])
@roles_required("secretary")
def schedule_edit(schedule_id: int):
    schedule = db.session.get(Schedule, schedule_id) or abort(404)
    if not has_unit_role(current_user, schedule.unit, "secretary"):
        abort(403)
    form = ScheduleForm()
    if request.method == "GET":
        data = services.schedule_json(schedule)
        for name in form.body():
            form[name].data = str(data[name])
    return _schedule_page(form, schedule)


@bp.post("/quan-ly-lich/<int:schedule_id>/dung")
@roles_required("secretary")
def schedule_stop(schedule_id: int):
    schedule = db.session.get(Schedule, schedule_id) or abort(404)
    if not has_unit_role(current_user, schedule.unit, "secretary"):
        abort(403)
    notices = services.deactivate_schedule(schedule, current_user)
    flash(_("Đã dừng lịch tiếp; các buổi chưa có lượt đặt đã được gỡ."), "success")
    flash_warnings(notices)
    return redirect(url_for(".manage"))


@bp.post("/quan-ly-lich/xem-truoc")
@roles_required("secretary")
def preview_json():
    """The live preview of the schedule form (JSON for static/js/schedules.js)."""
    form = ScheduleForm()
    _check_unit(form.body()["unit_code"])
    try:
        occurrences, warnings = services.preview_schedule(form.body())
    except CoreError as exc:
        return json_refusal(exc, 422)
    items = [{"label": f"{format_date(o.starts_at.date(), 'EEEE, dd/MM/yyyy')} "
                       f"{o.starts_at:%H:%M}–{o.ends_at:%H:%M}",
              "shifted_from": o.shifted_from.strftime("%d/%m/%Y") if o.shifted_from else None}
             for o in occurrences]
    return jsonify({"sessions": items, "warnings": [core_message(w) for w in warnings]})


@bp.route("/quan-ly-lich/dot-xuat", methods=["GET", "POST"])
@roles_required("secretary")
def adhoc_new():
    form = AdhocForm()
    _fill_choices(form)
    if request.method == "GET":
        _default_pair(form)
    if form.validate_on_submit():
        _check_unit(form.unit_code.data)
        try:
            reception, warnings = services.create_adhoc_session(form.body(), current_user)
        except CoreError as exc:
            refuse(exc, form)
        else:
            flash(_("Đã tạo và công bố buổi tiếp đột xuất."), "success")
            flash_warnings(warnings)
            return redirect(url_for(".session_detail", session_id=reception.id))
    status = 422 if request.method == "POST" else 200
    return render_template("schedules/adhoc_form.html", form=form), status


@bp.get("/quan-ly-lich/tuan-thu")
@roles_required("secretary", "host")
def compliance():
    units = pages.units_with_hosts(services.unit_scope_ids(current_user, "secretary", "host"))
    unit = next((u for u in units if u.code == request.args.get("unit")), None)
    unit = unit or (pages.own_unit(current_user, units, "secretary", "host") if units else None)
    try:
        year, month = parse_month(request.args.get("month"))
    except CoreError:
        today = local_today()
        year, month = today.year, today.month
    rows = unit_compliance(unit, year, month) if unit is not None else []
    return render_template("schedules/compliance.html", units=units, unit=unit, rows=rows,
                           month=f"{year:04d}-{month:02d}",
                           is_past=(year, month) < (local_today().year, local_today().month))


@bp.route("/admin/holidays", methods=["GET", "POST"])
@roles_required("admin")
def holidays():
    year = request.args.get("year", type=int) or local_today().year
    year = min(max(year, 2000), 2100)
    form = HolidayForm()
    if form.validate_on_submit():
        try:
            override, notices = add_holiday_override(form.data, current_user)
        except CoreError as exc:
            refuse(exc, form)
        else:
            flash(_("Đã thêm điều chỉnh ngày %(day)s.", day=override.day.strftime("%d/%m/%Y")),
                  "success")
            flash_warnings(notices)
            return redirect(url_for(".holidays", year=override.day.year))
    return render_template("schedules/holidays.html", year=year, form=form,
                           rows=holidays_of_year(year))


@bp.post("/admin/holidays/<int:override_id>/xoa")
@roles_required("admin")
def holiday_remove(override_id: int):
    override = db.session.get(HolidayOverride, override_id) or abort(404)
    year = override.day.year
    notices = remove_holiday_override(override, current_user)
    flash(_("Đã xóa điều chỉnh ngày."), "success")
    flash_warnings(notices)
    return redirect(url_for(".holidays", year=year))
