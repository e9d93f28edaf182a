"""The JSON API under /api/v1 (CONTRACT §3): one module per resource."""

from __future__ import annotations

from flask import Blueprint, g

from ..auth.loaders import bearer_token
from ..auth.services import user_for_token
from ..extensions import csrf
from .helpers import check_request_values

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens, not cookies, authenticate the API: no CSRF token is needed.
csrf.exempt(bp)


@bp.before_request
def _load_api_user():
    token = bearer_token()
    g.api_token = token
    g.api_user = user_for_token(token) if token else None
    check_request_values()


# Each module adds its routes to bp and describes them for openapi.json.
from . import auth, bookings, minutes, openapi, reports, schedules, sessions, tasks, tracking, units  # noqa: E402,F401
