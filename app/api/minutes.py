"""/api/v1/bookings/<id>/minutes: the minutes of a case and the chairman's conclusion."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from ..bookings.access import can_view
from ..bookings.models import Booking
from ..doors import after_commit
from ..errors import ApiError
from ..minutes import services
from ..minutes.access import can_edit_minutes, can_read_minutes
from ..minutes.live_push import push_minutes
from ..minutes.lookup import find
from ..minutes.models import OUTCOMES
from . import bp
from .helpers import current_api_user, document, json_body


def load_booking(booking_id: int) -> Booking:
    """The booking, or 404 not_found."""
    booking = find(Booking, booking_id)
    if booking is None:
        raise ApiError(404, "not_found", _("Không tìm thấy vụ việc."))
    return booking


def visible_booking(user, booking_id: int) -> Booking:
    """The booking, or the same 404 as a missing one for a caller who may not view it."""
    booking = load_booking(booking_id)
    if not can_view(user, booking):
        raise ApiError(404, "not_found", _("Không tìm thấy vụ việc."))
    return booking


def _allowed(check, booking_id: int):
    user = current_api_user()
    booking = visible_booking(user, booking_id)
    if not check(user, booking):
        raise ApiError(403)
    return user, booking


@bp.put("/bookings/<int:id>/minutes")
def put_minutes(id: int):
    user, booking = _allowed(can_edit_minutes, id)
    data = json_body()
    minutes = services.save_minutes(booking, data, actor=user)
    payload = services.minutes_payload(booking, minutes)
    after_commit(lambda: push_minutes(booking, payload))
    return jsonify(payload)


@bp.get("/bookings/<int:id>/minutes")
def get_minutes(id: int):
    _user, booking = _allowed(can_read_minutes, id)
    return jsonify(services.minutes_payload(booking))


@bp.get("/bookings/<int:id>/minutes/versions")
def minutes_versions(id: int):
    _user, booking = _allowed(can_read_minutes, id)
    return jsonify(services.minutes_history(booking))


_PAYLOAD = {"type": "object", "properties": {
    "booking_id": {"type": "integer"}, "version": {"type": "integer"},
    "content": {"type": "string"}, "conclusion": {"type": "string"},
    "outcome": {"type": "string", "enum": [*OUTCOMES, None], "nullable": True},
    "outcome_label": {"type": "string"}, "updated_at": {"type": "string", "nullable": True},
    "updated_by": {"type": "string", "nullable": True}}}
_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]

document("/bookings/{id}/minutes", "put",
         "Save the minutes, conclusion and outcome of an accepted or served case (secretary "
         "of the unit, host). Omitted fields keep their value. With `version` (the version "
         "edited) a stale save answers 409 invalid_state with `current`; without it the "
         "save overwrites.", auth=True, params=_ID,
         body={"type": "object", "properties": {
             "content": {"type": "string", "maxLength": services.CONTENT_MAX},
             "conclusion": {"type": "string", "maxLength": services.CONCLUSION_MAX},
             "outcome": {"type": "string", "enum": [*OUTCOMES, None], "nullable": True},
             "version": {"type": "integer", "minimum": 0}}},
         responses={"200": {"description": "The saved minutes",
                            "content": {"application/json": {"schema": _PAYLOAD}}}})
document("/bookings/{id}/minutes", "get",
         "The minutes of a case (version 0 when none): secretary, host, inspector",
         auth=True, params=_ID,
         responses={"200": {"description": "The minutes",
                            "content": {"application/json": {"schema": _PAYLOAD}}}})
document("/bookings/{id}/minutes/versions", "get",
         "Who changed the minutes and when, newest first", auth=True, params=_ID)
