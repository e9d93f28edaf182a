"""Fixtures for the live room: a real Socket.IO server on a free port, and recording clients.

The server runs in a background thread (werkzeug + simple-websocket, the embedded
threading mode) against the same database as the ``app`` fixture; clients are
python-socketio clients speaking WebSocket only, which record every event.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Callable

import pytest
import socketio as sio
from werkzeug.serving import WSGIRequestHandler, make_server

import app.live.events  # noqa: F401  (registers the /live handlers before any server)

NS = "/live"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class QuietHandler(WSGIRequestHandler):
    """No access log (and no noise when a closed WebSocket's last bytes arrive)."""

    def log(self, *args, **kwargs):
        pass


class LiveServer:
    """A Flask-SocketIO application served from a thread; ``stop()`` drops every socket."""

    def __init__(self, database_url: str, upload_dir: str):
        from app import create_app

        self.app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                               "UPLOAD_DIR": upload_dir})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True,
                                   request_handler=QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and close every Socket.IO connection of this server."""
        from app.extensions import db

        engine = self.app.extensions["socketio"].server.eio
        for sock in list(engine.sockets.values()):
            sock.close(wait=False)
        # A socket leaves the engine once its disconnect handler (which may use the
        # database) has run: wait for that before the connections are closed below.
        deadline = time.monotonic() + 3
        while engine.sockets and time.monotonic() < deadline:
            time.sleep(0.01)
        self._server.shutdown()
        self._server.server_close()
        with self.app.app_context():
            db.engine.dispose()


def release_database() -> None:
    """End the test thread's transaction, if any.

    SQLite transactions start with BEGIN IMMEDIATE (app/persistence.py), so even a
    read left open by the test (an expired attribute reloaded after a commit) would
    hold the write lock the server thread needs.
    """
    from flask import has_app_context

    from app.extensions import db

    if has_app_context():
        db.session.commit()


class Recorder:
    """A python-socketio client that keeps every event it receives on /live."""

    def __init__(self, url: str, token: str | None = None, headers: dict | None = None):
        self.events: list[tuple[str, dict]] = []
        self._changed = threading.Condition()
        self.client = sio.Client(reconnection=False)
        self.client.on("*", self._record, namespace=NS)
        release_database()
        self.client.connect(url, headers=headers or {}, namespaces=[NS], transports=["websocket"],
                            auth={"token": token} if token else None, wait_timeout=10)

    def _record(self, event, data=None):
        with self._changed:
            self.events.append((event, data))
            self._changed.notify_all()

    def call(self, event: str, data: dict | None = None) -> dict:
        """Send ``event`` and return its acknowledgement."""
        release_database()
        return self.client.call(event, data, namespace=NS, timeout=10)

    def wait_for(self, event: str, check: Callable[[dict], bool] = lambda d: True,
                 timeout: float = 5.0) -> dict:
        """The first received ``event`` whose payload passes ``check`` (waits for it)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for name, data in self.events:
                    if name == event and check(data):
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {event} matching after {timeout}s: {self.events}")
                self._changed.wait(left)

    def last(self, event: str) -> dict | None:
        """The latest ``event`` received so far."""
        with self._changed:
            found = [data for name, data in self.events if name == event]
        return found[-1] if found else None

    def names(self) -> set[str]:
        with self._changed:
            return {name for name, _ in self.events}

    def close(self) -> None:
        """Disconnect without websocket-client's 3 s wait for a close frame that the
        server, having already closed on the Engine.IO CLOSE packet, never sends."""
        if self.client.connected:
            ws = getattr(self.client.eio, "ws", None)
            if ws is not None:
                ws.close = functools.partial(type(ws).close, ws, timeout=0.05)
            self.client.disconnect()


@pytest.fixture
def live_server(app, database_url, tmp_path):
    """A running Socket.IO server on the test database (started after ``app``)."""
    server = LiveServer(database_url, str(tmp_path / "uploads"))
    yield server
    server.stop()


@pytest.fixture
def restartable_server(app, database_url, tmp_path):
    """A factory of servers on the test database: call it again to "restart"."""
    servers: list[LiveServer] = []

    def start() -> LiveServer:
        if servers:
            servers[-1].stop()
        servers.append(LiveServer(database_url, str(tmp_path / "uploads")))
        return servers[-1]

    yield start
    if servers:
        servers[-1].stop()


@pytest.fixture
def connect():
    """Open recording clients: ``connect(server, token=None)``; all closed afterwards."""
    clients: list[Recorder] = []

    def open_client(server: LiveServer, token: str | None = None,
                    headers: dict | None = None) -> Recorder:
        client = Recorder(server.url, token, headers)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        client.close()


@pytest.fixture
def room(app, make):
    """A session starting in 10 minutes with its host, a secretary, three citizens holding
    accepted bookings (slots 0, 1, 2) and an outsider; tokens for each."""
    from types import SimpleNamespace

    unit = make.make_unit()
    host = make.make_user("host", unit=unit)
    secretary = make.make_user("secretary", unit=unit)
    reception = make.make_reception(unit, host, starts_in_minutes=10, slot_minutes=10)
    citizens = [make.make_user("citizen") for _ in range(3)]
    bookings = [make.make_booking(reception, c, slot_index=i) for i, c in enumerate(citizens)]
    outsider = make.make_user("citizen")
    return SimpleNamespace(
        unit=unit, host=host, secretary=secretary, reception=reception, citizens=citizens,
        bookings=bookings, outsider=outsider, id=reception.id,
        host_token=make.token_for(host), secretary_token=make.token_for(secretary),
        tokens=[make.token_for(c) for c in citizens], outsider_token=make.token_for(outsider))
