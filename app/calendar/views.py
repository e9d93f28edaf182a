"""iCalendar feeds (CONTRACT §4): a unit's sessions (public) and a personal feed (token).

A feed stores the VEVENTs it had to write afresh (services._store); the door commits them.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from flask_login import login_required

from sessions.errors import CoreError

from ..auth.services import user_for_calendar_token
from ..bookings.access import is_owner
from ..bookings.invitation import provide as provide_invitation
from ..bookings.views import load_booking
from ..units.services import unit_by_code
from . import invites, services

bp = Blueprint("calendar", __name__)
# The e-mails about a booking carry this invitation (app/bookings/invitation.py).
bp.record_once(lambda state: provide_invitation(state.app, invites.imip_text))


def _respond(feed: services.Feed, cache_control: str) -> Response:
    """The feed, or 304 when the client already has it (If-None-Match / If-Modified-Since)."""
    tag = feed.etag.strip('"')
    fresh = (tag in request.if_none_match if request.if_none_match
             else request.if_modified_since is not None
             and feed.last_modified <= request.if_modified_since)
    response = Response(status=304) if fresh else Response(
        feed.body, mimetype="text/calendar", content_type="text/calendar; charset=utf-8")
    response.headers["ETag"] = feed.etag
    response.last_modified = feed.last_modified
    response.headers["Cache-Control"] = cache_control
    return response


@bp.get("/calendar/units/<code>.ics")
def unit_feed(code: str):
    unit = unit_by_code(code)
    if unit is None:
        abort(404)
    feed = services.unit_feed(unit)
    return _respond(feed, "public, max-age=300")


@bp.get("/calendar/me.ics")
def me_feed():
    user = user_for_calendar_token(request.args.get("token", ""))
    if user is None or not user.is_active:
        abort(404)
    feed = services.personal_feed(user)
    return _respond(feed, "private, max-age=300")


@bp.get("/bookings/<int:id>/invite.ics")
@login_required
def booking_invite(id: int):
    """The citizen's own calendar invitation of a booking (REQUEST, or CANCEL once cancelled)."""
    booking = load_booking(id, is_owner)
    try:
        body = invites.booking_invite(booking)
    except CoreError:
        abort(404)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="lich-tiep-{booking.id}.ics"',
        "Cache-Control": "private, no-store"})
