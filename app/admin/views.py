"""The administrators' area."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..auth.decorators import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@roles_required("admin")
def index():
    return render_template("admin/index.html")
