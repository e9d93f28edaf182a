"""Socket.IO handlers of the live room, namespace ``/live`` (CONTRACT §5).

Every handler answers through its acknowledgement: ``{"ok": true, ...}`` or
``{"ok": false, "error": "<code>", "message": "<Vietnamese>"}``; a refusal never
closes the connection. Changes follow one path: short transaction, commit, then
broadcast (:func:`app.live.rooms.broadcast_queue`).

Extensions of CONTRACT §5 (documented in docs/live.md): ``start_call`` (citizen),
``announce``, ``open_session``, ``close_session`` (host), ``echo`` (anyone, for the
connection test) and the server events ``announce``, ``ring`` and ``room_status``.
"""

from __future__ import annotations

import json
import logging
from functools import wraps

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from sessions.errors import N_, CoreError

from ..auth.models import User
from ..auth.services import user_id_for_token
from ..doors import ack_refusal, commit, rollback, unit_of_work
from ..extensions import db, socketio
from ..schedules.models import SessionStatus
from ..timeutil import iso_local, utcnow
from . import calls, credentials, door, outcomes, presence, rooms, services, turn_near
from .access import resolve_role
from .rooms import NAMESPACE, room_name
from .window import get_reception, require_open

log = logging.getLogger(__name__)
MAX_SIGNAL_BYTES = 64 * 1024
MAX_ANNOUNCEMENT = 500
RETRIES = 3


def _identity() -> dict:
    return socketio.server.get_session(request.sid, namespace=NAMESPACE)


def _user() -> User | None:
    user_id = _identity().get("user_id")
    return db.session.get(User, user_id) if user_id else None


def _session_id(data: dict) -> int:
    value = data.get("session_id")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise CoreError("bad_request", N_("Thiếu hoặc sai mã buổi tiếp (session_id)."),
                        field="session_id")
    return value


def _booking_id(data: dict) -> int:
    value = data.get("booking_id")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise CoreError("bad_request", N_("Thiếu hoặc sai mã lịch tiếp (booking_id)."),
                        field="booking_id")
    return value


def _reception(session_id: int):
    reception = get_reception(session_id)
    if reception is None:
        raise CoreError("not_found", N_("Không tìm thấy buổi tiếp."), field="session_id")
    return reception


def _joined(data: dict, *roles: str):
    """(reception, user, role) of a session the caller joined in one of ``roles``."""
    session_id = _session_id(data)
    role = _identity().get("roles", {}).get(session_id)
    if role not in roles:
        raise CoreError("forbidden", N_("Bạn không có quyền thực hiện thao tác này trong "
                                        "phòng tiếp."))
    reception = _reception(session_id)
    require_open(reception, utcnow())
    return reception, _user(), role


def _transaction(work):
    """Run ``work()`` and commit; retry when a concurrent change made it stale."""
    for _attempt in range(RETRIES):
        try:
            with unit_of_work():
                return work()
        except services.StaleEntry:
            continue  # rolled back by the unit of work: try again on fresh data
    raise CoreError("conflict", N_("Hàng chờ vừa thay đổi, vui lòng thử lại."))


def acknowledged(handler):
    """Admit the event (rate limits), validate the payload and turn refusals into
    ``{"ok": false}`` acknowledgements."""

    @wraps(handler)
    def wrapped(data=None, *_args):
        try:
            door.admit_event()  # rate limits, before any work (app/live/door.py)
            ended = credentials.refusal()  # a token or sign-in ended since the connect
            if ended is not None:
                return ended
            if not isinstance(data, dict):
                raise CoreError("bad_request", N_("Dữ liệu gửi lên phải là một đối tượng JSON."))
            return handler(data)
        except CoreError as exc:
            rollback()
            return ack_refusal(exc)
        except Exception:  # noqa: BLE001 - a refusal, never a dropped connection
            rollback()
            log.exception("live event %s failed", handler.__name__)
            return {"ok": False, "error": "server_error",
                    "message": _("Đã có lỗi xảy ra. Vui lòng thử lại sau.")}

    return wrapped


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth=None):
    """Anyone connects: an API token (``auth={"token"}``), the session cookie, or neither
    (a public display). A wrong or expired token is refused at once."""
    if isinstance(auth, dict) and "guest" in auth:
        _connect_guest(auth)
        return
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is not None:
        user_id = user_id_for_token(token) if isinstance(token, str) else None
        if user_id is None:
            rollback()
            raise ConnectionRefusedError({"error": "unauthorized",
                                          "message": _("Mã truy cập không hợp lệ hoặc đã hết hạn.")})
    else:
        user_id = current_user.id if current_user.is_authenticated else None
    socketio.server.save_session(request.sid, {
        "user_id": user_id, "roles": {},
        "credential": credentials.of_connection(token, user_id)}, namespace=NAMESPACE)
    commit()


def _connect_guest(auth: dict) -> None:
    """A guest's browser (CONTRACT §10): ``auth={"guest": <link token>, "key": <the key its
    first opening of the link gave>}``; a wrong, used or expired link is refused at once."""
    try:
        invite = calls.guest_invite(auth.get("guest"), auth.get("key"), utcnow())
    except CoreError as exc:
        rollback()
        raise ConnectionRefusedError(ack_refusal(exc)) from None
    socketio.server.save_session(request.sid, {
        "user_id": None, "roles": {}, "guest": invite.id, "guest_session": invite.session_id,
        "credential": None}, namespace=NAMESPACE)
    commit()


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*_args):
    """A socket is gone: a citizen's waiting-room presence ends (app/live/presence.py)."""
    sid = request.sid
    try:
        roles = socketio.server.get_session(sid, namespace=NAMESPACE).get("roles", {})
    except (KeyError, AttributeError):
        roles = {}
    if "citizen" not in roles.values():
        return  # only a citizen's socket is in a waiting room
    try:
        with unit_of_work():
            presence.leave(sid, utcnow())
    except Exception:  # noqa: BLE001 - nobody to answer; the row goes stale by itself
        log.exception("recording the disconnect of %s failed", sid)


@socketio.on("join", namespace=NAMESPACE)
@acknowledged
def on_join(data):
    """Anyone → server ``{"session_id", "as"?}``: enter the room as citizen, host,
    secretary or display. A citizen is checked in (idempotent); on a change
    everybody in the session gets the new queue, otherwise the joiner alone gets
    their ``queue`` / ``queue_state`` / ``board``."""
    session_id = _session_id(data)
    reception, user, now = _reception(session_id), _user(), utcnow()
    if data.get("as") == "guest" or _identity().get("guest"):
        return _join_guest(reception, now)
    if data.get("as") == "point":
        return _join_point(reception, user, now)
    role = resolve_role(user, reception, data.get("as"))
    require_open(reception, now)
    tickets, changed = [], False
    user_id = user.id if user else None  # read now: the commit expires the user
    if role == "citizen":
        booking_id = data.get("booking_id")
        booking_id = booking_id if isinstance(booking_id, int) else None
        sid = request.sid

        def check_in():
            found = services.check_in_citizen(reception, user, now, booking_id)
            presence.enter(sid, session_id, user_id, now)
            if found[1]:  # a change: its turn on the session's lock, held just to the commit
                services.lock_reception(session_id)
            return found

        tickets, changed = _transaction(check_in)
        presence.start_refresher()
    else:
        _transaction(lambda: services.ensure_entries(reception))
    _enter_rooms(session_id, role, user_id)
    if changed:
        rooms.broadcast_queue(session_id)
    else:
        rooms.send_own_state(request.sid, session_id, role, user_id)
    ack = {"ok": True, "role": role}
    if tickets:
        ack.update(ticket=tickets[0], tickets=tickets)
    return ack


def _no_link() -> CoreError:
    return CoreError("not_found", N_("Đường dẫn mời không đúng hoặc không còn tồn tại."))


def _join_point(reception, user, now) -> dict:
    """An operator joins for their reception point (CONTRACT §10): ack ``{"ok", "role":
    "point", "point_code"}``, then ``point_state`` now and after every change."""
    if user is None:
        raise CoreError("unauthorized", N_("Bạn cần đăng nhập để vào phòng tiếp công dân."))
    point = calls.require_point(user, reception)
    require_open(reception, now)
    point_id, code = point.id, point.code
    _transaction(lambda: services.ensure_entries(reception))
    socketio.server.enter_room(request.sid, calls.point_room(reception.id, point_id),
                               namespace=NAMESPACE)
    with socketio.server.session(request.sid, namespace=NAMESPACE) as identity:
        identity.setdefault("roles", {})[reception.id] = "point"
        identity.setdefault("points", {})[reception.id] = point_id
    rooms.send_own_state(request.sid, reception.id, "point", point_id=point_id)
    return {"ok": True, "role": "point", "point_code": code}


def _join_guest(reception, now) -> dict:
    """A guest's browser joins the session of its invite: ack ``{"ok", "role": "guest",
    "party", "booking_id"}``, then ``guest_state`` now and after every change."""
    identity = _identity()
    invite_id = identity.get("guest")
    if invite_id is None:
        raise _no_link()
    if identity.get("guest_session") != reception.id:
        raise CoreError("forbidden", N_("Đường dẫn mời này không dành cho buổi tiếp này."))
    require_open(reception, now)
    invite = db.session.get(calls.CallInvite, invite_id)
    if invite is None or now >= invite.expires_at:
        raise CoreError("link_expired", N_("Đường dẫn mời đã hết hạn. Hãy đề nghị người chủ trì "
                                           "hoặc thư ký gửi đường dẫn mới."), status=410)
    booking_id = invite.booking_id
    _transaction(lambda: services.ensure_entries(reception))
    socketio.server.enter_room(request.sid, calls.guest_room(reception.id, invite_id),
                               namespace=NAMESPACE)
    with socketio.server.session(request.sid, namespace=NAMESPACE) as saved:
        saved.setdefault("roles", {})[reception.id] = "guest"
    rooms.send_own_state(request.sid, reception.id, "guest", invite_id=invite_id)
    return {"ok": True, "role": "guest", "party": f"guest:{invite_id}", "booking_id": booking_id}


def _enter_rooms(session_id: int, role: str, user_id: int | None) -> None:
    audiences = {"citizen": ["citizens"], "host": ["staff", "host"], "secretary": ["staff"],
                 "display": ["display"]}[role]
    names = [room_name(session_id, a) for a in audiences]
    if role == "citizen":
        names.append(room_name(session_id, "citizen", user_id))
    for name in names:
        socketio.server.enter_room(request.sid, name, namespace=NAMESPACE)
    with socketio.server.session(request.sid, namespace=NAMESPACE) as identity:
        identity.setdefault("roles", {})[session_id] = role


@socketio.on("call_next", namespace=NAMESPACE)
@acknowledged
def on_call_next(data):
    """Host → server ``{"session_id"}``: finish the current turn and call the next
    citizen; ack ``{"ok", "ticket", "booking_id"}`` (``ticket`` null when nobody
    waits). Everyone in the session then gets the new queue."""
    reception, user, _role = _joined(data, "host")
    session_id = reception.id

    def work():
        outcomes.serve_current(reception, actor=user)
        called = services.call_next_citizen(reception, actor=user, now=utcnow())
        now = utcnow()
        snap = services.settled_snapshot(reception, now)
        turn_near.notify_turn_near(reception, now, snap)
        return called, snap

    called, snap = _transaction(work)
    rooms.broadcast_queue(session_id, snap)
    if called is None:
        return {"ok": True, "ticket": None}
    return {"ok": True, "ticket": called.ticket, "booking_id": called.booking_id}


def _host_action(data: dict, action: str) -> dict:
    reception, user, _role = _joined(data, "host")
    booking_id, session_id = _booking_id(data), reception.id

    def work():
        if action == "finish":
            outcomes.serve_booking(reception, booking_id, actor=user)
        entry = services.apply_host_action(reception, booking_id, action, actor=user,
                                           now=utcnow())
        now = utcnow()
        snap = services.settled_snapshot(reception, now)
        if action != "recall":  # the queue moved on: whose turn is near now
            turn_near.notify_turn_near(reception, now, snap)
        return entry, snap

    entry, snap = _transaction(work)
    rooms.broadcast_queue(session_id, snap)
    if action == "recall":
        rooms.ring_citizen(session_id, booking_id, entry.ticket)
    return {"ok": True}


@socketio.on("recall", namespace=NAMESPACE)
@acknowledged
def on_recall(data):
    """Host → server ``{"session_id", "booking_id"}``: call the citizen again (restarts
    the grace period); everyone gets the new queue and the citizen a ``ring``."""
    return _host_action(data, "recall")


@socketio.on("mark_no_show", namespace=NAMESPACE)
@acknowledged
def on_mark_no_show(data):
    """Host → server ``{"session_id", "booking_id"}``: the called citizen did not come
    (``grace_not_over`` before the grace period ends); everyone gets the new queue."""
    return _host_action(data, "mark_no_show")


@socketio.on("finish", namespace=NAMESPACE)
@acknowledged
def on_finish(data):
    """Host → server ``{"session_id", "booking_id"}``: end the citizen's turn (the
    booking becomes ``served``); everyone gets the new queue."""
    return _host_action(data, "finish")


@socketio.on("refuse", namespace=NAMESPACE)
@acknowledged
def on_refuse(data):
    """Host or secretary → server ``{"session_id", "booking_id", "ground", "note"?}``:
    refuse the citizen on a ground that arises at the session (Law Art 9.1-2, Decree
    154/2026 Art 4.1.a-d); the booking becomes ``refused``, the citizen leaves the
    queue (``queue`` state ``done``) and gets the refusal message; ack ``{"ok": true}``."""
    reception, user, _role = _joined(data, "host", "secretary")
    booking_id = _booking_id(data)
    note = data.get("note", "")
    if not isinstance(note, str) or len(note) > 2000:
        raise CoreError("invalid_type", N_("Ghi chú tối đa 2.000 ký tự."), field="note")

    def work():
        return outcomes.refuse_in_session(reception, booking_id, data.get("ground"),
                                          actor=user, now=utcnow(), note=note.strip())

    _transaction(work)
    rooms.broadcast_queue(reception.id)
    return {"ok": True}


@socketio.on("start_call", namespace=NAMESPACE)
@acknowledged
def on_start_call(data):
    """Called citizen → server ``{"session_id"}`` (extension): they joined the video
    call (called → in_call); everyone gets the new queue."""
    reception, user, role = _joined(data, "citizen", "point")
    if role == "point":
        point_id, booking_id = _identity()["points"][reception.id], _booking_id(data)
        changed = _transaction(lambda: calls.point_start_call(
            reception, point_id, booking_id, actor=user, consent=data.get("consent"),
            now=utcnow()))
    else:
        changed = _transaction(lambda: services.start_citizen_call(reception, user, utcnow()))
    if changed:
        rooms.broadcast_queue(reception.id)
    return {"ok": True}


def _party(call: calls.Call, role: str, user: User | None, session_id: int) -> str:
    """The caller's party id in ``call`` (a refusal when they are not in it)."""
    identity = _identity()
    if role == "host":
        return "host"
    if role == "citizen" and call.point_id is None and user is not None \
            and call.citizen_id == user.id:
        return "citizen"
    if role == "point" and call.point_id is not None \
            and identity.get("points", {}).get(session_id) == call.point_id:
        return "point"
    if role == "guest" and identity.get("guest") in call.guests:
        return f"guest:{identity['guest']}"
    raise CoreError("forbidden", N_("Bạn không ở trong cuộc gọi."))


@socketio.on("signal", namespace=NAMESPACE)
@acknowledged
def on_signal(data):
    """Among the parties of the session's current call ``{"session_id", "data", "to"?}``:
    WebRTC offer, answer or ICE candidate. Without ``to``: host ↔ the citizen (or their
    point), as in CONTRACT §5; with ``to``: to that party of the call (``host``,
    ``citizen``, ``point``, ``guest:N``). Never to anyone outside the call. The relayed
    event carries ``from`` (the sender's party id) and ``to`` when it was given."""
    reception, user, role = _joined(data, "host", "citizen", "point", "guest")
    signal = data.get("data")
    if not isinstance(signal, dict) or len(json.dumps(signal)) > MAX_SIGNAL_BYTES:
        raise CoreError("bad_request", N_("Dữ liệu tín hiệu cuộc gọi không hợp lệ."),
                        field="data")
    to = data.get("to")
    if to is not None and not isinstance(to, str):
        raise CoreError("bad_request", N_("Người nhận tín hiệu không hợp lệ."), field="to")
    call = calls.current_call(reception, utcnow())
    commit()
    if call is None:
        raise CoreError("invalid_state", N_("Không có công dân nào đang trong cuộc gọi."))
    sender = _party(call, role, user, reception.id)
    target = to if to is not None else ("host" if sender != "host" else call.citizen_party)
    room = call.room(reception.id, target) if target != sender else None
    if room is None:
        raise CoreError("forbidden", N_("Người nhận không ở trong cuộc gọi."), field="to")
    payload = {"session_id": reception.id, "ticket": call.ticket, "data": signal,
               "from": sender}
    if sender in ("citizen", "point"):
        payload["booking_id"] = call.booking_id
    if to is not None:
        payload["to"] = to
    socketio.emit("signal", payload, to=room, namespace=NAMESPACE)
    return {"ok": True}


def _call_of_party(data: dict):
    reception, user, role = _joined(data, "host", "citizen", "point", "guest")
    call = calls.current_call(reception, utcnow())
    if call is None:
        raise CoreError("invalid_state", N_("Không có công dân nào đang trong cuộc gọi."))
    return reception, call, _party(call, role, user, reception.id)


def _parties_ack(call: calls.Call, me: str) -> dict:
    return {"ok": True, "self": me, "booking_id": call.booking_id,
            "parties": [{"party": p, "label": calls.party_label(call, p)}
                        for p in call.parties() if p != me]}


@socketio.on("call_parties", namespace=NAMESPACE)
@acknowledged
def on_call_parties(data):
    """A party of the current call → server ``{"session_id"}`` (extension): ack
    ``{"ok", "self", "booking_id", "parties": [{"party", "label"}]}``, the others."""
    _reception_, call, me = _call_of_party(data)
    ack = _parties_ack(call, me)
    commit()
    return ack


@socketio.on("enter_call", namespace=NAMESPACE)
@acknowledged
def on_enter_call(data):
    """Guest → server ``{"session_id"}`` (CONTRACT §10): enter the call of their case once it
    is called or in the call; the other parties get ``call_party`` (who joined, by role and
    name); ack as ``call_parties``."""
    if _identity().get("guest") is None:
        raise _no_link()  # as a wrong secret link: nothing to enter
    reception, _user_, _role = _joined(data, "guest")
    invite = db.session.get(calls.CallInvite, _identity()["guest"])
    call = _transaction(lambda: calls.enter_call(reception, invite, utcnow()))
    me = f"guest:{invite.id}"
    label = calls.guest_label(invite)
    notice = {"session_id": reception.id, "booking_id": call.booking_id, "party": me,
              "role": invite.role, "name": invite.name, "label": label,
              "message": _("%(label)s đã tham gia cuộc gọi", label=label)}
    ack = _parties_ack(call, me)
    rooms_of = [call.room(reception.id, p) for p in call.parties() if p != me]
    commit()
    for room in rooms_of:
        socketio.emit("call_party", notice, to=room, namespace=NAMESPACE)
    return ack


@socketio.on("point_check_in", namespace=NAMESPACE)
@acknowledged
def on_point_check_in(data):
    """Point → server ``{"session_id", "booking_id"}`` (extension): the officer checks in a
    citizen present at the point; everyone gets the new queue."""
    reception, user, _role = _joined(data, "point")
    point_id, booking_id = _identity()["points"][reception.id], _booking_id(data)
    changed = _transaction(lambda: calls.point_check_in(reception, point_id, booking_id,
                                                        actor=user, now=utcnow()))
    if changed:
        rooms.broadcast_queue(reception.id)
    return {"ok": True, "changed": changed}


@socketio.on("announce", namespace=NAMESPACE)
@acknowledged
def on_announce(data):
    """Host → server ``{"session_id", "message"}`` (extension): a message to every
    citizen waiting in the session (event ``announce`` to the citizens and staff)."""
    reception, _user_, _role = _joined(data, "host")
    message = data.get("message")
    if not isinstance(message, str) or not message.strip() \
            or len(message) > MAX_ANNOUNCEMENT:
        raise CoreError("bad_request", N_("Thông báo phải có từ 1 đến 500 ký tự."),
                        field="message")
    commit()
    rooms.broadcast_announcement(reception.id, message.strip())
    return {"ok": True}


@socketio.on("open_session", namespace=NAMESPACE)
@acknowledged
def on_open_session(data):
    """Host → server ``{"session_id"}`` (extension): the session starts (→ live);
    every audience gets ``room_status``."""
    reception, user, _role = _joined(data, "host")
    _transaction(lambda: services.open_reception(reception, actor=user, now=utcnow()))
    rooms.broadcast_room_status(reception.id, SessionStatus.LIVE)
    return {"ok": True, "status": SessionStatus.LIVE}


@socketio.on("close_session", namespace=NAMESPACE)
@acknowledged
def on_close_session(data):
    """Host → server ``{"session_id"}`` (extension): the session is over (→ held;
    refused while someone is called or in the call). Finished turns are ``served``,
    citizens who never came or missed their call ``no_show``; every audience gets
    ``room_status`` and the final queue."""
    reception, user, _role = _joined(data, "host")

    def work():
        outcomes.settle_closed(reception, actor=user)
        return services.close_reception(reception, actor=user, now=utcnow())

    waiting = _transaction(work)
    rooms.broadcast_room_status(reception.id, SessionStatus.HELD)
    rooms.broadcast_queue(reception.id)
    return {"ok": True, "status": SessionStatus.HELD, "still_waiting": waiting}


@socketio.on("echo", namespace=NAMESPACE)
@acknowledged
def on_echo(data):
    """Anyone → server ``{"t"?}`` (extension): the connection test's loopback; the ack
    carries ``t`` back with the server time."""
    sent = data.get("t")
    return {"ok": True, "t": sent if isinstance(sent, int | float) else None,
            "server_time": iso_local(utcnow())}
