"""/api/v1/track: follow a case with its tracking code and the phone's last 4 digits."""

from __future__ import annotations

from flask import jsonify, request

from ..bookings.tracking import find_tracked, limit_failed_lookups, tracking_dict
from ..errors import ApiError
from ..extensions import limiter
from . import bp
from .helpers import document, query_param


@bp.get("/track/<code>")
@limiter.limit("30 per minute")
@limit_failed_lookups(lambda: request.view_args.get("code"))
def track(code: str):
    booking = find_tracked(code, query_param("phone_last4"))
    if booking is None:
        # The same answer whether the code or the phone is wrong.
        raise ApiError(404)
    return jsonify(tracking_dict(booking))


document("/track/{code}", "get", "Status timeline of a case (nothing identifying); "
         "30 requests a minute per address, 10 failed lookups an hour per tracking code",
         params=[
             {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
             {"name": "phone_last4", "in": "query", "required": True,
              "schema": {"type": "string", "pattern": "^[0-9]{4}$"}}])
