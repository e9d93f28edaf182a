"""Whether the credential a /live connection was opened with still holds (CONTRACT §7).

A connection opened with an API token (or a web sign-in's cookie) keeps working only
while that token (or sign-in) does: a logout, a password change or reset, or "log out
everywhere" ends it, and the connection's next event is refused ``unauthorized``.
Each process remembers a credential found valid for ``LIVE_AUTH_RECHECK_SECONDS``
(at most 60 s), so a busy room costs one query per connection and minute, not per event.
"""

from __future__ import annotations

import time

from flask import current_app, request, session
from flask_babel import gettext as _

from ..auth import services, websessions
from ..doors import commit
from ..extensions import socketio
from .rooms import NAMESPACE

# (kind, value) -> monotonic time until which it is known valid, in this process.
_valid_until: dict[tuple[str, str], float] = {}
MAX_REMEMBERED = 50_000


def of_connection(token: str | None, user_id: int | None) -> tuple[str, str] | None:
    """What the connecting client proved who it is with, to be checked again later."""
    if token:
        return ("token", token)
    if user_id is not None and session.get("_user_id"):
        return ("web", str(session["_user_id"]))
    return None  # a public display: nothing to end


def _holds(credential: tuple[str, str]) -> bool:
    now = time.monotonic()
    if _valid_until.get(credential, 0) > now:
        return True
    kind, value = credential
    valid = (services.token_alive(value) if kind == "token"
             else websessions.load_user(value) is not None)
    commit()  # end the read: the handler that follows may not touch the database
    if valid:
        if len(_valid_until) >= MAX_REMEMBERED:
            _valid_until.clear()
        ttl = min(60, current_app.config.get("LIVE_AUTH_RECHECK_SECONDS", 60))
        _valid_until[credential] = now + ttl
    else:
        _valid_until.pop(credential, None)
    return valid


def refusal() -> dict | None:
    """None while this connection's credential holds; else the ``unauthorized`` answer.
    An ended connection forgets who it was and leaves its rooms, so it gets no more
    queue or call messages, and every later event is refused the same way."""
    sid = request.sid
    with socketio.server.session(sid, namespace=NAMESPACE) as identity:
        credential = identity.get("credential")
        ended = identity.get("ended") or (credential is not None
                                          and not _holds(tuple(credential)))
        if ended and not identity.get("ended"):
            identity.update(user_id=None, roles={}, ended=True)
    if not ended:
        return None
    for room in socketio.server.rooms(sid, namespace=NAMESPACE):
        if room != sid:
            socketio.server.leave_room(sid, room, namespace=NAMESPACE)
    return {"ok": False, "error": "unauthorized",
            "message": _("Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại.")}
