"""Web pages of schedules: the public schedule and the secretaries' management pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("schedules", __name__)
