"""The JSON API under /api/v1 (CONTRACT §3): one module per resource."""

from __future__ import annotations

from flask import Blueprint

from ..auth.loaders import load_token_caller
from ..extensions import csrf
from .helpers import check_request_values

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens, not cookies, authenticate the API: no CSRF token is needed.
csrf.exempt(bp)


@bp.before_request
def _load_api_caller():
    load_token_caller()
    check_request_values()


# Each module adds its routes to bp and describes them for openapi.json.
from . import (  # noqa: E402,F401
    auth,
    bookings,
    minutes,
    openapi,
    reports,
    rulebook,
    schedules,
    sessions,
    tasks,
    tracking,
    units,
)
