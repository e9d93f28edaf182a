"""The administrators' pages of a unit's reception points and their operators."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.decorators import roles_required
from ..auth.services import find_user
from ..doors import attempt
from ..extensions import db
from ..units.services import unit_by_code
from . import services
from .forms import KIND_LABELS, OperatorForm, PointForm
from .models import ReceptionPoint

bp = Blueprint("points", __name__, url_prefix="/admin")


@bp.route("/units/<code>/points", methods=["GET", "POST"])
@roles_required("admin")
def unit_points(code: str):
    unit = unit_by_code(code) or abort(404)
    form = PointForm()
    if form.validate_on_submit():
        point, ok = attempt(services.create_point, unit, form.data, form=form,
                            actor=current_user)
        if ok:
            flash(_("Đã thêm điểm cầu %(name)s.", name=point.name), "success")
            return redirect(url_for("points.unit_points", code=unit.code))
    return render_template("points/unit_points.html", unit=unit, form=form,
                           points=services.points_of(unit, active_only=False),
                           kind_labels=KIND_LABELS)


@bp.route("/points/<int:point_id>", methods=["GET", "POST"])
@roles_required("admin")
def point_edit(point_id: int):
    point = db.get_or_404(ReceptionPoint, point_id)
    form = PointForm(obj=point)
    if form.validate_on_submit():
        _point, ok = attempt(services.update_point, point, form.data, form=form,
                             actor=current_user)
        if ok:
            flash(_("Đã lưu điểm cầu %(name)s.", name=point.name), "success")
            return redirect(url_for("points.point_edit", point_id=point.id))
    return render_template("points/point_edit.html", point=point, form=form,
                           operator_form=OperatorForm(prefix="operator"),
                           operators=services.operators_of(point))


@bp.post("/points/<int:point_id>/operators")
@roles_required("admin")
def point_add_operator(point_id: int):
    point = db.get_or_404(ReceptionPoint, point_id)
    form = OperatorForm(prefix="operator")
    person = find_user(form.person.data) if form.validate_on_submit() else None
    if person is None:
        flash(_("Không tìm thấy người có email hoặc số điện thoại này. Hãy mời họ trước."),
              "danger")
    elif attempt(services.grant_operator, point, person, actor=current_user)[1]:
        flash(_("Đã giao %(name)s làm cán bộ điểm cầu.", name=person.full_name), "success")
    return redirect(url_for("points.point_edit", point_id=point.id))
