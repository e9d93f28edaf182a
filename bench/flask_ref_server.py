"""Reference server for bench/bench_stress.py: Flask-SocketIO alone, without the application.

Run under gunicorn with the gevent-websocket worker Flask-SocketIO documents (one worker):
``gunicorn -k geventwebsocket.gunicorn.workers.GeventWebSocketWorker -w 1
--worker-connections 5000 bench.flask_ref_server:app``.
The same protocol and payloads as bench/py_ref_server.py (bare python-socketio), through
Flask-SocketIO's layer: what the framework the product is built on costs before any of
the application's code, database or templates (its memory per connection in particular).
"""

from __future__ import annotations

from flask import Flask, request
from flask_socketio import SocketIO, emit, join_room

from bench.py_ref_server import payload  # also declines per-message compression

NAMESPACE = "/live"
app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent", transports=["websocket"],
                    websocket_compression=False, http_compression=False)
sessions: dict[int, dict] = {}
tickets: dict[str, int | None] = {}


@app.get("/healthz")
def health():
    return "ok"


@socketio.on("connect", namespace=NAMESPACE)
def connect(auth=None):
    token = str((auth or {}).get("token", ""))
    tickets[request.sid] = int(token[1:]) if token.startswith("c") else None


@socketio.on("disconnect", namespace=NAMESPACE)
def disconnect(*_reason):
    tickets.pop(request.sid, None)


@socketio.on("join", namespace=NAMESPACE)
def join(data):
    session_id = data.get("session_id")
    ticket = tickets.get(request.sid)
    state = sessions.setdefault(session_id, {"k": 0, "tickets": set()})
    if ticket is None:
        return {"ok": True}
    state["tickets"].add(ticket)
    join_room(f"user:{ticket}:session:{session_id}")
    emit("queue", payload(session_id, ticket, state["k"]))
    return {"ok": True, "ticket": f"{ticket:03d}"}


@socketio.on("call_next", namespace=NAMESPACE)
def call_next(data):
    session_id = data.get("session_id")
    state = sessions.get(session_id)
    if state is None or tickets.get(request.sid) is not None:
        return {"ok": False}
    state["k"] += 1
    for ticket in sorted(state["tickets"]):
        socketio.emit("queue", payload(session_id, ticket, state["k"]),
                      to=f"user:{ticket}:session:{session_id}", namespace=NAMESPACE)
    return {"ok": True, "ticket": f"{state['k']:03d}"}
