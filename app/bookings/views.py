"""Web pages of bookings: the citizen's booking flow, tracking and the secretaries' triage."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("bookings", __name__)
