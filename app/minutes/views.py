"""Web pages of minutes."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("minutes", __name__, url_prefix="/minutes")
