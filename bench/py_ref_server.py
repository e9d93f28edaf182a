"""Reference server for bench/bench_stress.py: bare python-socketio, gevent, no Flask.

Run under gunicorn with the gevent-websocket worker Flask-SocketIO documents (one worker):
``gunicorn -k geventwebsocket.gunicorn.workers.GeventWebSocketWorker -w 1
--worker-connections 5000 bench.py_ref_server:app``.
The same protocol as bench/node_ref_server.js: ``auth={"token": "host" | "c<ticket>"}``,
``join`` and ``call_next``; after each call every citizen gets its own ``queue``
payload in its own room, then the host gets the ack. No database, no templates: the
floor that the application's own overhead is measured against.
"""

from __future__ import annotations

import simple_websocket.ws
import socketio
from wsproto.extensions import PerMessageDeflate


class _Declined(PerMessageDeflate):
    """No per-message compression, as the application (app/live/rooms.py) sets it up
    (for simple-websocket, in threading mode; gevent-websocket never compresses)."""

    def accept(self, offer):
        return None


simple_websocket.ws.PerMessageDeflate = _Declined
SLOT_SECONDS = 120
sio = socketio.Server(async_mode="gevent", cors_allowed_origins=[], transports=["websocket"],
                      websocket_compression=False, http_compression=False)
sessions: dict[int, dict] = {}


def _health(environ, start_response):
    start_response("200 OK" if environ.get("PATH_INFO") == "/healthz" else "404 Not Found",
                   [("Content-Type", "text/plain")])
    return [b"ok"]


app = socketio.WSGIApp(sio, _health)


def payload(session_id: int, ticket: int, k: int) -> dict:
    state, position, ahead = "waiting", ticket - k, max(0, ticket - k - 1)
    if ticket <= k:
        state, position, ahead = ("done" if ticket < k else "called"), 0, 0
    return {"session_id": session_id, "ticket": f"{ticket:03d}", "position": position,
            "ahead": ahead, "eta_seconds": ahead * SLOT_SECONDS if state == "waiting" else 0,
            "state": state}


@sio.on("connect", namespace="/live")
def connect(sid, environ, auth=None):
    token = str((auth or {}).get("token", ""))
    sio.save_session(sid, {"ticket": int(token[1:]) if token.startswith("c") else None},
                     namespace="/live")


@sio.on("join", namespace="/live")
def join(sid, data):
    session_id = data.get("session_id")
    ticket = sio.get_session(sid, namespace="/live")["ticket"]
    state = sessions.setdefault(session_id, {"k": 0, "tickets": set()})
    if ticket is None:
        return {"ok": True}
    state["tickets"].add(ticket)
    sio.enter_room(sid, f"user:{ticket}:session:{session_id}", namespace="/live")
    sio.emit("queue", payload(session_id, ticket, state["k"]), to=sid, namespace="/live")
    return {"ok": True, "ticket": f"{ticket:03d}"}


@sio.on("call_next", namespace="/live")
def call_next(sid, data):
    session_id = data.get("session_id")
    state = sessions.get(session_id)
    if state is None or sio.get_session(sid, namespace="/live")["ticket"] is not None:
        return {"ok": False}
    state["k"] += 1
    for ticket in sorted(state["tickets"]):
        sio.emit("queue", payload(session_id, ticket, state["k"]),
                 to=f"user:{ticket}:session:{session_id}", namespace="/live")
    return {"ok": True, "ticket": f"{state['k']:03d}"}
