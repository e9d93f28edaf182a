"""The administrators' view of the outbox."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notify", __name__, url_prefix="/admin/notifications")
