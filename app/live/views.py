"""Web pages of the live room: waiting room, host and secretary consoles, display board."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("live", __name__, url_prefix="/live")
