"""The administrators' area: dashboard, units, hosts and deputies, agencies.

People, roles and invitations are in ``people_views`` (same blueprint). Every page
is for administrators only, except the public page that accepts an invitation.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ..auth.decorators import roles_required
from ..auth.services import find_user
from ..doors import attempt
from ..extensions import db
from ..units.models import LEVELS, Agency
from ..units.services import unit_by_code
from ..web import safe_next as web_safe_next
from . import queries, services
from .forms import (
    LEVEL_LABELS,
    AgencyForm,
    AssignForm,
    ImportUnitsForm,
    OfficerForm,
    UnitFilterForm,
    UnitForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


def safe_next(default: str) -> str:
    """The ``next`` path of this site given with the request, else ``default``."""
    return web_safe_next(request.values.get("next"), default)


def page_arg() -> int:
    return request.args.get("page", 1, type=int) or 1


def unit_or_404(code: str):
    unit = unit_by_code(code)
    if unit is None:
        abort(404)
    return unit


def host_choices(unit=None) -> list[SelectChoice]:
    """Hosts whom a deputy may stand in for, by user id; 0 = any host of the unit."""
    rows = queries.role_holders(unit, "host") if unit else queries.all_hosts()
    return [SelectChoice(0, _("— Bất kỳ Chủ tịch nào của đơn vị —"))] + [
        SelectChoice(r.user_id, f"{r.user.full_name} — {r.unit.name if r.unit else ''}")
        for r in rows]


@bp.get("/")
@roles_required("admin")
def index():
    return render_template("admin/index.html", counts=queries.dashboard_counts())


@bp.get("/units/")
@roles_required("admin")
def units():
    filters = UnitFilterForm(request.args)
    level = filters.level.data if filters.level.data in LEVELS else ""
    page = queries.search_units((filters.q.data or "").strip(), level, page_arg())
    args = {k: v for k, v in (("q", (filters.q.data or "").strip()), ("level", level)) if v}
    return render_template("admin/units.html", filters=filters, page=page, args=args,
                           import_form=ImportUnitsForm(), level_labels=LEVEL_LABELS)


@bp.post("/units/import")
@roles_required("admin")
def import_units():
    form = ImportUnitsForm()
    codes = [c.strip().zfill(2) for c in (form.provinces.data or "").split(",") if c.strip()]
    created, ok = attempt(services.import_units_from_package, codes, actor=current_user)
    if ok:
        flash(_("Đã nhập đơn vị hành chính: %(n)s đơn vị mới.", n=created), "success")
    return redirect(url_for("admin.units"))


@bp.route("/units/<code>", methods=["GET", "POST"])
@roles_required("admin")
def unit_edit(code: str):
    unit = unit_or_404(code)
    form = UnitForm(obj=unit, parent_code=unit.parent_code)
    if form.validate_on_submit():
        _unit, ok = attempt(services.update_unit, unit, form.data, form=form,
                                actor=current_user)
        if ok:
            flash(_("Đã lưu đơn vị %(name)s.", name=unit.name), "success")
            return redirect(url_for("admin.unit_edit", code=unit.code))
    return render_template("admin/unit_edit.html", unit=unit, form=form)


@bp.route("/units/<code>/hosts", methods=["GET", "POST"])
@roles_required("admin")
def unit_hosts(code: str):
    unit = unit_or_404(code)
    form = AssignForm()
    form.deputy_of.choices = host_choices(unit)
    if form.validate_on_submit():
        person = _person_or_error(form)
        data = {"role": form.role.data, "unit_code": unit.code,
                "deputy_of": form.deputy_of.data or None}
        if person and attempt(services.grant_role, person, data, form=form,
                                  actor=current_user)[1]:
            flash(_("Đã giao vai trò cho %(name)s.", name=person.full_name), "success")
            return redirect(url_for("admin.unit_hosts", code=unit.code))
    return render_template("admin/unit_hosts.html", unit=unit, form=form,
                           holders=queries.role_holders(unit, "host", "deputy"))


def _person_or_error(form):
    """The person named in ``form.person`` (e-mail or phone), or None with a field error."""
    person = find_user(form.person.data)
    if person is None:
        form.person.errors = [*form.person.errors, _(
            "Không tìm thấy người có email hoặc số điện thoại này. Hãy mời họ trước.")]
    return person


@bp.route("/units/<code>/agencies", methods=["GET", "POST"])
@roles_required("admin")
def unit_agencies(code: str):
    unit = unit_or_404(code)
    form = AgencyForm()
    if form.validate_on_submit():
        agency, ok = attempt(services.create_agency, unit, form.data, form=form,
                                 actor=current_user)
        if ok:
            flash(_("Đã thêm cơ quan %(name)s.", name=agency.name), "success")
            return redirect(url_for("admin.unit_agencies", code=unit.code))
    return render_template("admin/unit_agencies.html", unit=unit, form=form,
                           agencies=queries.agencies_of_unit(unit))


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@roles_required("admin")
def agency_edit(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    form = AgencyForm(obj=agency)
    if form.validate_on_submit():
        _agency, ok = attempt(services.update_agency, agency, form.data, form=form,
                                  actor=current_user)
        if ok:
            flash(_("Đã lưu cơ quan %(name)s.", name=agency.name), "success")
            return redirect(url_for("admin.agency_edit", agency_id=agency.id))
    return render_template("admin/agency_edit.html", agency=agency, form=form,
                           officer_form=OfficerForm(prefix="officer"),
                           officers=queries.officers_of(agency))


@bp.post("/agencies/<int:agency_id>/officers")
@roles_required("admin")
def agency_add_officer(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    form = OfficerForm(prefix="officer")
    person = _person_or_error(form) if form.validate_on_submit() else None
    data = {"role": "officer", "unit_code": agency.unit.code, "agency_code": agency.code}
    if person and attempt(services.grant_role, person, data, actor=current_user)[1]:
        flash(_("Đã giao %(name)s làm cán bộ của cơ quan.", name=person.full_name), "success")
    else:
        for error in form.person.errors:
            flash(error, "danger")
    return redirect(url_for("admin.agency_edit", agency_id=agency.id))


from . import people_views  # noqa: E402,F401  (routes of the same blueprint)
