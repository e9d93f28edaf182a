"""Web pages of minutes: the editor of a case, its JSON save door, a session's cases.

The browser saves with its session cookie, so the save door is a web route
protected by the CSRF token (header ``X-CSRFToken``), calling the same service as
``PUT /api/v1/bookings/<id>/minutes``.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, make_response, render_template, request
from flask_login import current_user, login_required

from sessions.errors import CoreError

from ..bookings import refusal_notices
from ..bookings.access import citizen_dict, reveal
from ..bookings.models import Booking
from ..bookings.repeats import provide_answers
from ..doors import after_commit, api_error, rollback
from ..errors import default_message
from ..schedules.models import ReceptionSession
from ..timeutil import parse_iso, to_utc_naive
from ..web import localdt
from . import services
from .access import can_edit_minutes, can_read_minutes, reception_role
from .live_push import push_minutes
from .lookup import find

bp = Blueprint("minutes", __name__, url_prefix="/minutes")
# The answers of earlier cases, shown beside a new one at triage (app/bookings/repeats.py).
bp.record_once(lambda state: provide_answers(state.app, services.case_answers))


@bp.app_template_filter("iso_dt")
def iso_dt(value: str | None, fmt: str = "HH:mm dd/MM/yyyy") -> str:
    """An ISO 8601 local time (as the JSON payloads carry) shown like ``localdt``."""
    return localdt(to_utc_naive(parse_iso(value)), fmt) if value else ""


@bp.app_template_global("minutes_outcomes")
def minutes_outcomes() -> dict:
    """Outcome codes and their labels, for the editor macro wherever it is imported."""
    return {code: str(label) for code, label in services.OUTCOME_LABELS.items()}


def _booking(booking_id: int, allowed) -> Booking:
    booking = find(Booking, booking_id)
    if booking is None:
        abort(404)
    if not allowed(current_user, booking):
        abort(403)
    return booking


def json_error(exc: CoreError):
    """A service refusal as the API's JSON error (the editor reads it)."""
    rollback()
    return api_error(exc).response()


@bp.get("/<int:booking_id>")
@login_required
def edit(booking_id: int):
    booking = _booking(booking_id, can_read_minutes)
    payload = services.minutes_payload(booking)
    minutes = services.get_minutes(booking)
    page = render_template(
        "minutes/edit.html", booking=booking, payload=payload,
        readonly=not can_edit_minutes(current_user, booking),
        citizen=citizen_dict(booking, reveal(current_user, booking, "minutes")),
        history=services.minutes_history(booking)[:20],
        deadline=services.case_deadline(booking, minutes.answered_at if minutes else None),
        notice=refusal_notices.notice_due(booking),
        notice_link=refusal_notices.download_link)
    return page


@bp.get("/<int:booking_id>/panel")
@login_required
def panel(booking_id: int):
    """The editor of one case as an HTML fragment, for the live consoles: the
    secretary writes in it, the host reads it (``?mode=read``; updated live by the
    ``minutes`` event)."""
    booking = _booking(booking_id, can_read_minutes)
    readonly = request.args.get("mode") == "read" or not can_edit_minutes(current_user,
                                                                          booking)
    page = render_template(
        "minutes/_panel.html", booking=booking, payload=services.minutes_payload(booking),
        readonly=readonly,
        citizen=citizen_dict(booking, reveal(current_user, booking, "minutes")))
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:booking_id>")
@login_required
def save(booking_id: int):
    booking = _booking(booking_id, can_edit_minutes)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify({"error": "bad_request", "message": default_message(400),
                        "errors": {}}), 400
    try:
        minutes = services.save_minutes(booking, data, actor=current_user)
    except CoreError as exc:
        return json_error(exc)
    payload = services.minutes_payload(booking, minutes)
    after_commit(lambda: push_minutes(booking, payload))
    return jsonify(payload)


@bp.get("/<int:booking_id>/data")
@login_required
def data(booking_id: int):
    booking = _booking(booking_id, can_read_minutes)
    return jsonify(services.minutes_payload(booking))


@bp.get("/session/<int:session_id>")
@login_required
def session_cases(session_id: int):
    reception = find(ReceptionSession, session_id)
    if reception is None:
        abort(404)
    if reception_role(current_user, reception) is None:
        abort(403)
    return render_template("minutes/session.html", reception=reception,
                           rows=services.session_minutes(reception),
                           outcome_label=services.outcome_label)
