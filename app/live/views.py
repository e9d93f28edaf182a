"""Web pages of the live room: waiting room, host and secretary consoles, display board."""

from __future__ import annotations

import time
from datetime import UTC
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sessions.errors import N_, CoreError

from ..audit.services import record_event
from ..auth.decorators import roles_required
from ..bookings.access import may_see_identity
from ..bookings.models import Booking
from ..doors import json_refusal, rollback
from ..extensions import db
from ..i18n import core_message
from ..notify.services import save_push_subscription
from ..timeutil import iso_local, utcnow
from . import calls, cases, recording
from .access import citizen_bookings, own_bookings, staff_role
from .models import QueueEntry, Recording
from .turn import ice_servers
from .window import get_reception, is_room_open, room_window

bp = Blueprint("live", __name__, url_prefix="/live")


def _reception_or_404(session_id: int):
    reception = get_reception(session_id)
    if reception is None or reception.is_cancelled:
        abort(404)
    return reception


def _booking_state(session_id: int, page: str):
    """Instead of a bare 404: the citizen's own booking in this session is not (or no
    longer) one that opens the room; the page says why and what to do. Anyone without a
    booking here still gets the 404."""
    bookings = own_bookings(session_id, current_user)
    if not bookings:
        abort(404)
    reception = get_reception(session_id)
    return render_template("live/booking_state.html", booking=bookings[0],
                           reception=reception, page=page)


def _staff_reception(session_id: int, *roles: str):
    reception = _reception_or_404(session_id)
    if staff_role(current_user, reception) not in roles:
        abort(403)
    return reception


@bp.get("/")
@roles_required("host", "deputy", "secretary")
def console_index():
    """Today's and upcoming sessions the staff member may host or assist."""
    return render_template("live/index.html",
                           sessions=cases.console_sessions(current_user, utcnow()))


@bp.get("/<int:session_id>/room")
@login_required
def room(session_id: int):
    """The citizen's waiting room: consent, device check, place in the queue, the call."""
    reception = get_reception(session_id)
    if reception is None:
        abort(404)
    bookings = [] if reception.is_cancelled else citizen_bookings(reception, current_user)
    if not bookings:
        return _booking_state(session_id, "room")
    tickets = dict(db.session.execute(
        db.select(QueueEntry.booking_id, QueueEntry.ticket)
        .where(QueueEntry.booking_id.in_([b.id for b in bookings]))).all())
    return render_template("live/room.html", reception=reception, bookings=bookings,
                           tickets=tickets, is_open=is_room_open(reception, utcnow()),
                           opens_at=room_window(reception)[0],
                           consented=all(b.consent_recording_at for b in bookings),
                           external_url=current_app.config.get("EXTERNAL_ROOM_URL"),
                           vapid_public_key=current_app.config.get("VAPID_PUBLIC_KEY"))


@bp.post("/<int:session_id>/consent")
@login_required
def consent(session_id: int):
    """The citizen consents to the recording of the online session (Decree 154/2026)."""
    reception = _reception_or_404(session_id)
    bookings = citizen_bookings(reception, current_user)
    if not bookings:
        abort(404)
    now = utcnow()
    for booking in bookings:
        if booking.consent_recording_at is None:
            booking.consent_recording_at = now
            record_event("consent_recording", actor=current_user, target=f"booking:{booking.id}")
    flash(_("Bạn đã đồng ý với việc ghi âm, ghi hình buổi tiếp."), "success")
    return redirect(url_for("live.room", session_id=session_id))


@bp.post("/<int:session_id>/push-subscription")
@login_required
def push_subscription(session_id: int):
    """JSON: keep the browser's Web Push subscription ``{"endpoint", "keys"}`` so that the
    citizen is told on this device when their turn is near (app/live/turn_near.py)."""
    reception = _reception_or_404(session_id)
    if not citizen_bookings(reception, current_user):
        abort(404)
    if not current_app.config.get("VAPID_PUBLIC_KEY"):
        return jsonify({"error": "invalid_state",
                        "message": _("Máy chủ chưa bật thông báo trên trình duyệt.")}), 409
    try:
        save_push_subscription(current_user, request.get_json(silent=True))
    except CoreError as exc:
        return json_refusal(exc, 422)
    return jsonify({"ok": True}), 201


@bp.get("/sw.js")
def service_worker():
    """The service worker that shows "your turn is near" (static/js/live-sw.js), served
    under /live/ so that it may control the waiting room pages."""
    response = send_file(Path(current_app.static_folder) / "js" / "live-sw.js",
                         mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = url_for("live.console_index")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<int:session_id>/test")
@login_required
def connection_test(session_id: int):
    """Camera, microphone and network check, from one working day before the session."""
    reception = get_reception(session_id)
    if reception is None:
        abort(404)
    if reception.is_cancelled or (not citizen_bookings(reception, current_user)
                                  and not staff_role(current_user, reception)):
        return _booking_state(session_id, "test")
    opens, now = cases.connection_test_opens(reception), utcnow()
    return render_template("live/test.html", reception=reception, opens_at=opens,
                           is_open=opens <= now < reception.ends_at)


@bp.get("/<int:session_id>/host")
@login_required
def host_console(session_id: int):
    """The host's console: the queue, calls, the video and the recording."""
    reception = _staff_reception(session_id, "host")
    return render_template("live/console.html", reception=reception, role="host",
                           is_open=is_room_open(reception, utcnow()))


@bp.get("/<int:session_id>/secretary")
@login_required
def secretary_console(session_id: int):
    """The secretary's console: the queue and the current case's details."""
    reception = _staff_reception(session_id, "host", "secretary")
    return render_template("live/console.html", reception=reception, role="secretary",
                           is_open=is_room_open(reception, utcnow()))


@bp.get("/<int:session_id>/cases")
@login_required
def case_list(session_id: int):
    """JSON: the session's cases for the consoles (names masked as the viewer must see)."""
    reception = _staff_reception(session_id, "host", "secretary")
    found = cases.staff_cases(reception, current_user)
    return jsonify({"session_id": reception.id, "cases": found})


@bp.get("/<int:session_id>/board")
def board(session_id: int):
    """The public display: the ticket being served and the next ones, no names."""
    reception = _reception_or_404(session_id)
    return render_template("live/board.html", reception=reception)


@bp.get("/ice-servers")
@login_required
def ice_server_list():
    """JSON ``{"iceServers": [...]}`` for RTCPeerConnection, with TURN credentials."""
    servers = ice_servers(current_app.config, current_user.id, int(time.time()))
    response = jsonify({"iceServers": servers})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:session_id>/recordings/<int:booking_id>/chunks")
@login_required
def recording_chunk(session_id: int, booking_id: int):
    """The host's browser uploads chunk ``?take=T&index=N`` of a recording (idempotent)."""
    reception = _staff_reception(session_id, "host")
    index = request.args.get("index", "")
    try:
        if not index.isdigit():
            raise CoreError("bad_request", N_("Số thứ tự đoạn ghi không hợp lệ."),
                            field="index")
        booking = recording.recording_booking(reception, booking_id)
        rec = recording.open_recording(reception, booking, request.args.get("take", ""),
                                       actor=current_user, now=utcnow())
        recording.store_chunk(rec, int(index), request.get_data(cache=False))
    except CoreError as exc:
        return json_refusal(exc, 404 if exc.code == "not_found" else 400)
    return jsonify({"ok": True, "index": int(index)})


@bp.post("/<int:session_id>/recordings/<int:booking_id>/finish")
@login_required
def recording_finish(session_id: int, booking_id: int):
    """Join the uploaded chunks ``{"take", "chunks": N}`` into the stored recording."""
    reception = _staff_reception(session_id, "host")
    data = request.get_json(silent=True)
    data = data if isinstance(data, dict) else {}
    count, take = data.get("chunks"), data.get("take")
    if isinstance(count, bool) or not isinstance(count, int) or not isinstance(take, str):
        return jsonify({"error": "bad_request",
                        "message": _("Thiếu mã lượt ghi hoặc số đoạn ghi.")}), 400
    try:
        booking = recording.recording_booking(reception, booking_id)
        rec = recording.finish_recording(reception, booking, take, count, actor=current_user,
                                         now=utcnow())
    except CoreError as exc:
        return json_refusal(exc, 404 if exc.code == "not_found" else 409)
    return jsonify({"ok": True, "id": rec.id, "size": rec.size, "sha256": rec.sha256})


@bp.get("/<int:session_id>/recordings/<int:recording_id>")
@login_required
def recording_file(session_id: int, recording_id: int):
    """A stored recording, for the acting host and secretaries of the unit (download
    audited); a denouncer's face and voice only for those who may see who they are."""
    reception = _staff_reception(session_id, "host", "secretary")
    rec = db.session.get(Recording, recording_id)
    if rec is None or rec.session_id != reception.id or not rec.is_stored:
        abort(404)
    if not may_see_identity(current_user, db.session.get(Booking, rec.booking_id)):
        abort(403)
    record_event("recording_downloaded", actor=current_user, target=f"booking:{rec.booking_id}",
                 recording_id=rec.id)
    return send_file(recording.file_path(rec), mimetype=rec.content_type, as_attachment=True,
                     download_name=f"ghi-hinh-{reception.id}-{rec.booking_id}-{rec.id}.webm")


@bp.get("/<int:session_id>/point")
@login_required
def point_console(session_id: int):
    """The reception point's console (CONTRACT §10): its citizens with their tickets and
    states, check-in, the recording consent confirmed by the officer, and the call."""
    reception = _reception_or_404(session_id)
    try:
        point = calls.require_point(current_user, reception)
    except CoreError:
        abort(403)
    bookings = calls.point_bookings(reception, point.id)
    return render_template("live/point.html", reception=reception, point=point,
                           bookings=bookings, is_open=is_room_open(reception, utcnow()))


def invite_answer(booking, data, actor) -> dict:
    """Create a one-time call link for ``booking``: the JSON answer ``{"url", "expires_at"}``."""
    invite, token = calls.create_invite(booking, data, actor=actor, now=utcnow())
    return {"url": url_for("live.guest_page", token=token, _external=True),
            "expires_at": iso_local(invite.expires_at), "role": invite.role,
            "name": invite.name}


@bp.post("/<int:session_id>/cases/<int:booking_id>/call-invites")
@login_required
def create_call_invite(session_id: int, booking_id: int):
    """JSON for the consoles: ``{"role", "name"}`` → 201 ``{"url", "expires_at"}``, a
    one-time link for one more person in the case's call."""
    reception = _staff_reception(session_id, "host", "secretary")
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.session_id != reception.id:
        abort(404)
    try:
        answer = invite_answer(booking, request.get_json(silent=True), current_user)
    except CoreError as exc:
        return json_refusal(exc)
    return jsonify(answer), 201


GUEST_COOKIE = "live_guest_key"


@bp.get("/khach/<token>")
def guest_page(token: str):
    """A guest's page (no account): the recording notice, consent, a camera and microphone
    check, then the call when their case is in it. The first browser that opens the link
    binds it (a cookie kept for this link's path); any other, or an expired link, gets a
    page saying why."""
    try:
        invite, key = calls.open_invite(token, request.cookies.get(GUEST_COOKIE), utcnow())
    except CoreError as exc:
        rollback()
        return render_template("live/guest_refused.html", message=core_message(exc)), \
            exc.status
    booking = db.session.get(Booking, invite.booking_id)
    reception = booking.reception
    servers = ice_servers(current_app.config, f"guest{invite.id}", int(time.time()))
    response = current_app.make_response(render_template(
        "live/guest.html", invite=invite, reception=reception, booking=booking,
        label=calls.guest_label(invite), token=token, key=key, ice_servers=servers,
        citizen=calls.denouncer_words() if booking.is_denunciation else _("Công dân"),
        is_open=is_room_open(reception, utcnow())))
    response.set_cookie(GUEST_COOKIE, key, path=request.path, httponly=True, samesite="Lax",
                        secure=request.is_secure,
                        expires=invite.expires_at.replace(tzinfo=UTC))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
