"""The rulebook's pages: ``/quy-dinh`` (anyone: what applies to a unit on a date, and
why) and the administrator's list, edit and add of rule versions."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from sessions.errors import CoreError
from sessions.recurrence import parse_date
from sessions.rules import DEADLINES, LEVELS

from ..auth.decorators import roles_required
from ..doors import rollback
from ..extensions import db
from ..i18n import core_message
from ..timeutil import local_today
from ..units.services import list_units, unit_by_code
from . import services
from .models import KINDS, RuleVersion

bp = Blueprint("rulebook", __name__)

KIND_LABELS = {"frequency": _l("Tần suất tiếp định kỳ"), "deadline": _l("Thời hạn"),
               "refusal_ground": _l("Căn cứ từ chối tiếp"),
               "delegation": _l("Ủy quyền cấp phó")}
LEVEL_LABELS = {"province": _l("Cấp tỉnh"), "commune": _l("Cấp xã"),
                "district": _l("Cấp huyện")}


def _on(value: str) -> tuple[date, str | None]:
    """The date asked for (today when none), and the error when it is not a date."""
    if not value:
        return local_today(), None
    try:
        return parse_date(value.strip()), None
    except CoreError:
        return local_today(), _("Ngày phải có dạng YYYY-MM-DD; đang hiển thị quy định hôm nay.")


@bp.get("/quy-dinh")
def public():
    """What applies to this unit on this date, and why (anyone)."""
    on, date_error = _on(request.args.get("date", "")[:20])
    province_code = request.args.get("province", "")[:10]
    commune_code = request.args.get("commune", "")[:10]
    unit = unit_by_code(request.args.get("unit", "")[:10] or commune_code or province_code)
    province = unit_by_code(province_code)
    if province is None and unit is not None and unit.level == "province":
        province = unit
    levels = [unit.level] if unit is not None and unit.level in LEVELS else ["province",
                                                                               "commune"]
    views = {level: services.applicable(level, on) for level in levels}
    return render_template(
        "rulebook/public.html", on=on, date_error=date_error, unit=unit,
        province=province, provinces=list_units("province"),
        communes=list_units("commune", province.code) if province is not None else [],
        views=views, flagged=list({row[0]: row for view in views.values()
                                   for row in view.to_verify}.values()),
        level_labels=LEVEL_LABELS, describe=lambda rule: rule.describe(_), deadline_labels={k: v[2] for k, v in DEADLINES.items()})


@bp.get("/admin/quy-dinh")
@roles_required("admin")
def admin_rules():
    kind = request.args.get("kind", "")
    return render_template("rulebook/admin_list.html",
                           versions=services.versions(kind if kind in KINDS else None),
                           kind=kind if kind in KINDS else "", kinds=KINDS,
                           kind_labels=KIND_LABELS)


def _form_values() -> dict:
    return {name: request.form.get(name, "") for name in request.form}


def _errors(exc: CoreError) -> dict[str, str]:
    found = {name: core_message(e) for name, e in exc.field_errors().items()}
    return found or {"": core_message(exc)}


@bp.route("/admin/quy-dinh/<int:rule_id>", methods=["GET", "POST"])
@roles_required("admin")
def admin_rule_edit(rule_id: int):
    version = db.session.get(RuleVersion, rule_id)
    if version is None:
        abort(404)
    errors, values = {}, _version_values(version)
    if request.method == "POST":
        values = _form_values()
        try:
            services.edit_rule(version, values, actor=current_user)
        except CoreError as exc:
            rollback()
            version = db.session.get(RuleVersion, rule_id)
            errors = _errors(exc)
        else:
            flash(_("Đã lưu quy định."), "success")
            return redirect(url_for("rulebook.admin_rules", kind=version.kind))
    return render_template("rulebook/admin_edit.html", version=version, values=values,
                           errors=errors, kind=version.kind, kinds=KINDS,
                           kind_labels=KIND_LABELS), (422 if errors else 200)


@bp.route("/admin/quy-dinh/moi", methods=["GET", "POST"])
@roles_required("admin")
def admin_rule_add():
    kind = request.values.get("kind", "frequency")
    kind = kind if kind in KINDS else "frequency"
    errors: dict = {}
    values = {"kind": kind, "code": request.args.get("code", "")[:40],
              "effective_from": local_today().isoformat()}
    copy_of = db.session.get(RuleVersion, request.args.get("from", type=int) or 0)
    if copy_of is not None:  # a new version of an existing rule starts from its values
        values = {**_version_values(copy_of), "effective_from": "", "effective_until": ""}
        kind = copy_of.kind
    if request.method == "POST":
        values = _form_values()
        try:
            version = services.add_rule(values, actor=current_user)
        except CoreError as exc:
            rollback()
            errors = _errors(exc)
        else:
            flash(_("Đã thêm quy định."), "success")
            return redirect(url_for("rulebook.admin_rules", kind=version.kind))
    return render_template("rulebook/admin_edit.html", version=None, values=values,
                           errors=errors, kind=kind, kinds=KINDS,
                           kind_labels=KIND_LABELS), (422 if errors else 200)


def _version_values(version: RuleVersion) -> dict:
    value = version.value or {}
    values = {"kind": version.kind, "code": version.code,
              "effective_from": version.effective_from.isoformat(),
              "effective_until": (version.effective_until.isoformat()
                                  if version.effective_until else ""),
              "source": version.source, "note": version.note,
              "to_verify": "1" if version.to_verify else ""}
    for name, item in value.items():
        values[name] = ("1" if item else "") if isinstance(item, bool) else str(item)
    return values
