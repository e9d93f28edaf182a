"""Web pages: "Dữ liệu cá nhân của tôi" (download, deletion on request)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import websessions
from ..auth.decorators import roles_required
from ..doors import attempt
from ..extensions import limiter
from ..i18n import core_message
from . import services
from .forms import DeletionForm, ExportForm

bp = Blueprint("privacy", __name__, url_prefix="/account/data")


def _download(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@roles_required("citizen")
def mine():
    blocker = services.deletion_blocker(current_user)
    return render_template("privacy/mine.html", export_form=ExportForm(),
                           form=DeletionForm(), years=services.retention_years(),
                           blocker=blocker and core_message(blocker))


@bp.post("/export.json")
@roles_required("citizen")
@limiter.limit("20 per hour")
def export_json():
    if not ExportForm().validate_on_submit():
        return redirect(url_for("privacy.mine"))
    body = json.dumps(services.export_data(current_user), ensure_ascii=False, indent=2)
    services.record_export(current_user, "json")
    return _download(body.encode(), "application/json", f"du-lieu-ca-nhan-{current_user.id}.json")


@bp.post("/export.zip")
@roles_required("citizen")
@limiter.limit("20 per hour")
def export_zip():
    if not ExportForm().validate_on_submit():
        return redirect(url_for("privacy.mine"))
    body = services.export_zip(current_user)
    services.record_export(current_user, "zip")
    return _download(body, "application/zip", f"du-lieu-ca-nhan-{current_user.id}.zip")


@bp.post("/delete")
@roles_required("citizen")
@limiter.limit("10 per hour")
def delete():
    form = DeletionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return redirect(url_for("privacy.mine"))
    if not attempt(services.request_deletion, current_user, form.password.data)[1]:
        return redirect(url_for("privacy.mine"))
    websessions.sign_out()
    flash(_("Tài khoản của bạn đã được đóng và dữ liệu cá nhân không thuộc diện lưu trữ bắt "
            "buộc đã được xóa."), "success")
    return redirect(url_for("main.home"))
