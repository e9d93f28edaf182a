"""/api/v1/bookings: book, read, cancel, reschedule, triage, invite, attach, rate."""

from __future__ import annotations

from flask import Response, jsonify, request, send_file
from flask_babel import gettext as _

from ..bookings import services
from ..bookings.access import booking_dict, can_manage, can_view, is_owner, reveal, summary_dict
from ..bookings.models import (
    MATTER_FIELDS,
    MATTER_TYPES,
    STATUSES,
    Attachment,
    Booking,
)
from ..bookings.repeats import may_read_related, related_cases
from ..bookings.uploads import add_attachment, attachment_dict, attachment_path
from ..calendar.invites import booking_invite
from ..errors import ApiError
from ..extensions import db
from . import bp
from .helpers import (
    ATTACHMENT_CREATED,
    FILE_DOWNLOAD,
    OPENAPI_PATHS,
    api_caller,
    current_api_user,
    document,
    json_body,
)

IDEMPOTENCY_KEY_MAX = 200


def _booking(id: int, allowed) -> Booking:
    """The booking if the caller passes ``allowed(user, booking)``: 401 anonymous; 404,
    as for a missing id, to a caller who may not even view it (ids can be enumerated);
    403 to one who views it but may not do this."""
    user = current_api_user()
    booking = db.session.get(Booking, id)
    if booking is None or not can_view(user, booking):
        raise ApiError(404)
    if not allowed(user, booking):
        raise ApiError(403)
    return booking


def _owner_or_secretary(user, booking) -> bool:
    return is_owner(user, booking) or can_manage(user, booking)


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ApiError(422, "validation_error", errors={
            "Idempotency-Key": _("Khóa Idempotency-Key không được dài quá 200 ký tự.")})
    return key or None


@bp.post("/bookings")
def create_booking():
    # The caller, not the person: a refused booking never loads them (the service does
    # when it writes the booking).
    caller = api_caller("citizen")
    data, key = json_body(), _idempotency_key()
    # Answered before the door commits, which expires every object: the summary is
    # not read back from the database.
    booking, created = services.create_booking(caller, data, idempotency_key=key)
    summary = summary_dict(booking)
    headers = {} if created else {"Idempotent-Replayed": "true"}
    return jsonify(summary), 201, headers


@bp.get("/bookings/<int:id>")
def get_booking(id: int):
    booking = _booking(id, can_view)
    return jsonify(booking_dict(booking, current_api_user()))  # the door commits its audit


@bp.post("/bookings/<int:id>/cancel")
def cancel_booking(id: int):
    booking = _booking(id, _owner_or_secretary)
    body = request.get_json(silent=True)
    reason = body.get("reason") if isinstance(body, dict) else None
    services.cancel_booking(booking, actor=current_api_user(),
                            reason=reason if isinstance(reason, str) else "")
    return jsonify(summary_dict(booking))


@bp.post("/bookings/<int:id>/reschedule")
def reschedule_booking(id: int):
    booking = _booking(id, _owner_or_secretary)
    services.reschedule_booking(booking, json_body(), actor=current_api_user())
    return jsonify(summary_dict(booking))


@bp.post("/bookings/<int:id>/decision")
def decide_booking(id: int):
    booking = _booking(id, can_manage)
    services.decide_booking(booking, json_body(), actor=current_api_user())
    return jsonify(summary_dict(booking))


@bp.get("/bookings/<int:id>/invite.ics")
def booking_invite_ics(id: int):
    booking = _booking(id, is_owner)
    return Response(booking_invite(booking), mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="invite-{booking.id}.ics"',
        "Cache-Control": "private, no-store"})


@bp.post("/bookings/<int:id>/attachments")
def upload_attachment(id: int):
    booking = _booking(id, is_owner)
    attachment = add_attachment(booking, request.files.get("file"), actor=current_api_user())
    return jsonify(attachment_dict(attachment)), 201


@bp.get("/bookings/<int:id>/attachments/<int:attachment_id>")
def download_attachment(id: int, attachment_id: int):
    booking = _booking(id, can_view)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.booking_id != booking.id:
        raise ApiError(404)
    if not reveal(current_api_user(), booking, "attachment"):
        raise ApiError(403)
    return send_file(attachment_path(attachment), mimetype=attachment.content_type,
                     as_attachment=True, download_name=attachment.filename, max_age=0)


@bp.get("/bookings/<int:id>/related")
def related_bookings(id: int):
    """The booking's earlier cases and cases with a similar summary (repeat matters),
    each with the answer it got; citizens masked by the identity rule."""
    booking = _booking(id, may_read_related)
    related = related_cases(booking, current_api_user())
    return jsonify({name: [hit.as_dict() for hit in hits] for name, hits in related.items()})
@bp.post("/bookings/<int:id>/call-invites")
def create_call_invite(id: int):
    from ..live.calls import may_invite
    from ..live.views import invite_answer

    booking = _booking(id, may_invite)
    answer = invite_answer(booking, json_body(), current_api_user())
    return jsonify({"url": answer["url"], "expires_at": answer["expires_at"]}), 201


@bp.post("/bookings/<int:id>/rating")
def rate_booking(id: int):
    booking = _booking(id, is_owner)
    rating = services.rate_booking(booking, json_body(), actor=current_api_user())
    return jsonify({"id": rating.id, "score": rating.score, "comment": rating.comment}), 201


# --- OpenAPI ---------------------------------------------------------------------------

_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_PERSON = {"type": "object", "required": ["full_name", "phone"],
           "properties": {"full_name": {"type": "string"}, "phone": {"type": "string"}}}
_NEW_BOOKING = {
    "type": "object", "required": ["session_id", "matter", "consents"],
    "properties": {
        "session_id": {"type": "integer"},
        "slot_start": {"type": "string", "format": "date-time",
                       "description": "A slot boundary; without it the first free slot."},
        "matter": {"type": "object", "required": ["type", "field", "summary"], "properties": {
            "type": {"type": "string", "enum": list(MATTER_TYPES)},
            "field": {"type": "string", "enum": list(MATTER_FIELDS)},
            "summary": {"type": "string", "minLength": 1, "maxLength": 5000}}},
        "group_size": {"type": "integer", "minimum": 1, "maximum": 100, "default": 1},
        "representatives": {"type": "array", "maxItems": 5, "items": _PERSON},
        "earlier_case_ref": {"type": "string", "maxLength": 100},
        "join_from": {"type": "string", "default": "home", "description": (
            "\"home\" (the citizen's own device) or the code of a reception point "
            "(GET /points) of the session's unit or a unit below it; online and hybrid "
            "sessions only.")},
        "consents": {"type": "object", "properties": {
            "recording": {"type": "boolean"}, "online_denunciation_risk": {"type": "boolean"}}},
        "waitlist": {"type": "boolean", "default": False, "description": (
            "When the session has no free slot: join its waitlist (status waitlisted, no "
            "slot) instead of 409 session_full. Waitlisted bookings are promoted oldest "
            "first when a slot frees.")}}}
_SUMMARY = {"description": "The booking", "content": {"application/json": {"schema": {
    "type": "object", "properties": {
        "id": {"type": "integer"}, "tracking_code": {"type": "string"},
        "session_id": {"type": "integer"},
        "slot_start": {"type": "string", "format": "date-time", "nullable": True},
        "status": {"type": "string", "enum": list(STATUSES)}}}}}}

document("/bookings", "post", (
    "Book a case into a session (citizen). Header Idempotency-Key: a retry with the same "
    "key, even racing the first request, creates nothing and answers 201 with the first "
    "booking and the header Idempotent-Replayed: true."), auth=True, body=_NEW_BOOKING,
    responses={"201": _SUMMARY},
    params=[{"name": "Idempotency-Key", "in": "header", "required": False,
             "schema": {"type": "string", "maxLength": 200}}])
document("/bookings/{id}", "get", "A booking (its citizen; staff of the unit, identity masked "
         "where they may not see it)", auth=True, params=[_ID])
document("/bookings/{id}/cancel", "post", "Cancel before the session starts; frees the slot",
         auth=True, params=[_ID], responses={"200": _SUMMARY})
document("/bookings/{id}/reschedule", "post", "Move to another slot of the unit", auth=True,
         params=[_ID], responses={"200": _SUMMARY}, body={
             "type": "object", "required": ["session_id"], "properties": {
                 "session_id": {"type": "integer"},
                 "slot_start": {"type": "string", "format": "date-time"}}})
document("/bookings/{id}/decision", "post", "Triage by a secretary: accept (idempotent), "
         "refuse on a legal ground, redirect to an agency", auth=True, params=[_ID],
         responses={"200": _SUMMARY}, body={
             "type": "object", "required": ["decision"], "properties": {
                 "decision": {"type": "string", "enum": ["accept", "refuse", "redirect"]},
                 "ground": {"type": "string"}, "agency": {"type": "string"},
                 "note": {"type": "string", "nullable": True}}})
document("/bookings/{id}/invite.ics", "get", "Calendar invitation (REQUEST, or CANCEL once "
         "closed)", auth=True, params=[_ID], responses={"200": {
             "description": "iCalendar", "content": {"text/calendar": {}}}})
document("/bookings/{id}/attachments", "post", "Attach a PDF, JPEG or PNG (10 MB, 5 per case)",
         auth=True, params=[_ID], responses={"201": ATTACHMENT_CREATED})
OPENAPI_PATHS["/bookings/{id}/attachments"]["post"]["requestBody"] = {
    "required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary"}}}}}}
document("/bookings/{id}/attachments/{attachment_id}", "get", "Download an attachment",
         auth=True, params=[_ID, {"name": "attachment_id", "in": "path", "required": True,
                                  "schema": {"type": "integer"}}],
         responses={"200": FILE_DOWNLOAD})
document("/bookings/{id}/call-invites", "post", (
    "A one-time link that lets one more person into the case's call from a browser without "
    "an account (host acting in the session, or secretary of its unit). The link expires "
    "at the session's end or after 4 hours, whichever comes first; the first browser that "
    "opens it binds it. 409 invalid_state when the booking is not accepted or the session "
    "is over; 422 for an agency invited into a denunciation's call (CONTRACT §8)."),
    auth=True, params=[_ID], body={
        "type": "object", "required": ["role", "name"], "properties": {
            "role": {"type": "string",
                     "enum": ["agency", "interpreter", "lawyer", "representative"]},
            "name": {"type": "string", "minLength": 1, "maxLength": 100}}},
    responses={"201": {"description": "The link", "content": {"application/json": {
        "schema": {"type": "object", "properties": {
            "url": {"type": "string", "format": "uri"},
            "expires_at": {"type": "string", "format": "date-time"}}}}}}})
document("/bookings/{id}/rating", "post", "Rate the service after the call (once)", auth=True,
         params=[_ID], responses={"201": {"description": "Created"}}, body={
             "type": "object", "required": ["score"], "properties": {
                 "score": {"type": "integer", "minimum": 1, "maximum": 5},
                 "comment": {"type": "string", "nullable": True}}})
_RELATED_CASE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "tracking_code": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"},
    "session_date": {"type": "string", "format": "date-time"},
    "unit_code": {"type": "string"}, "status": {"type": "string", "enum": list(STATUSES)},
    "matter": {"type": "object", "properties": {
        "type": {"type": "string", "enum": list(MATTER_TYPES)},
        "field": {"type": "string", "enum": list(MATTER_FIELDS)},
        "summary": {"type": "string", "description": "The first 300 characters"}}},
    "citizen": {"type": "object", "properties": {
        "full_name": {"type": "string", "description": (
            "The name, or a masked name, or the denouncer words (CONTRACT §8)")},
        "masked": {"type": "boolean"}}},
    "outcome": {"type": "string", "nullable": True,
                "enum": ["thu_ly", "huong_dan", "chuyen_don", "tra_loi", None]},
    "outcome_text": {"type": "string", "nullable": True},
    "conclusion": {"type": "string", "nullable": True},
    "answered_at": {"type": "string", "format": "date-time", "nullable": True},
    "decision": {"type": "object", "nullable": True, "properties": {
        "ground": {"type": "string", "nullable": True},
        "ground_text": {"type": "string", "nullable": True},
        "agency": {"type": "string", "nullable": True},
        "note": {"type": "string", "nullable": True},
        "at": {"type": "string", "format": "date-time"}}},
    "url": {"type": "string", "description": "The case page"},
    "similarity": {"type": "number", "description": "Similar cases only: 0.3 to 1"},
    "same_citizen": {"type": "boolean", "description": "Similar cases only"}}}
document("/bookings/{id}/related", "get", (
    "Repeat matters (secretary, host or inspector of the unit; admin): the citizen's "
    "earlier cases in the caller's units (empty when the caller may not know who the "
    "citizen is) and cases of those units with a similar summary, accents aside "
    "(trigram similarity >= 0.3), each with its outcome, conclusion and decision"),
    auth=True, params=[_ID], responses={"200": {"description": "Related cases", "content": {
        "application/json": {"schema": {"type": "object", "required": ["earlier", "similar"],
                                        "properties": {
                                            "earlier": {"type": "array", "items": _RELATED_CASE},
                                            "similar": {"type": "array",
                                                        "items": _RELATED_CASE}}}}}}})
