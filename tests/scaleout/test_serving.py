"""The production worker (app/serving.py): gunicorn with gevent and gevent-websocket.

One real gunicorn process started with gunicorn.conf.py serves pages over keep-alive
connections, a WebSocket that declines compression and receives Engine.IO's pings from
the loop's timers, and writes gunicorn's access log for requests but not for WebSockets.
The keep-alive turn-taking is checked on the handler itself over a real socket pair.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import gevent
import pytest
import websocket
from gevent import pywsgi
from gevent import socket as gsocket

from app import serving
from tests.live import test_two_processes as two_processes
from tests.live.conftest import free_port
from tests.scaleout.test_province import Processes

ROOT = Path(__file__).resolve().parents[2]


def _settings():
    import runpy

    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_production_runs_the_application_worker():
    assert _settings()["worker_class"] == "app.serving.Worker"


@pytest.fixture
def production_server(tmp_path):
    database = f"sqlite:///{tmp_path / 'serving.sqlite3'}"
    env = dict(os.environ, APP_ENV="production", SECRET_KEY="serving-test-secret-0123456789",
               AUDIT_KEY="serving-test-audit-key-0123456789",
               DATABASE_URL=database, SCHEDULER="off", INSTANCE_PATH=str(tmp_path),
               SOCKETIO_PING_INTERVAL="1", PYTHONUNBUFFERED="1")
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    env.pop("FLASK_RUN_FROM_CLI", None)
    created = subprocess.run(
        [sys.executable, "-c", "from app import create_app; from app.extensions import db; "
         "app = create_app({'APP_ENV': 'development'}); app.app_context().push(); "
         "db.create_all()"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert created.returncode == 0, created.stderr[-2000:]
    port = free_port()
    processes = Processes(tmp_path)
    process = processes.start("gunicorn", [sys.executable, "-m", "gunicorn", "-c",
                                           "gunicorn.conf.py", "wsgi:app"],
                              dict(env, PORT=str(port)))
    try:
        two_processes._wait_up(f"http://127.0.0.1:{port}", process, timeout=60)
        yield port, tmp_path / "gunicorn.log"
    finally:
        processes.stop()


def test_pages_over_keep_alive_and_a_websocket_with_timed_pings(production_server):
    port, log_path = production_server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(2):  # one connection, two requests
        conn.request("GET", "/healthz", headers={"User-Agent": "serving-test"})
        response = conn.getresponse()
        assert response.status == 200
        assert json.loads(response.read())["status"] == "ok"
    conn.close()

    ws = websocket.create_connection(
        f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket", timeout=10,
        header=["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"])
    try:
        headers = {k.lower(): v for k, v in ws.getheaders().items()}
        assert "sec-websocket-extensions" not in headers  # no per-message compression
        opened = ws.recv()
        assert opened.startswith("0")
        assert json.loads(opened[1:])["pingInterval"] == 1000
        pings, started = 0, time.monotonic()
        while time.monotonic() - started < 3.5:
            ws.settimeout(max(0.1, 3.5 - (time.monotonic() - started)))
            try:
                message = ws.recv()
            except websocket.WebSocketTimeoutException:
                break
            if message == "2":
                pings += 1
                ws.send("3")  # pong: the next ping is scheduled only after it
        assert pings == 3, pings  # every second, from the loop's timers
        assert ws.connected
    finally:
        ws.close()

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = log_path.read_text(errors="replace").splitlines()
        if sum("serving-test" in line for line in lines) == 2:
            break
        time.sleep(0.1)
    access = [line for line in lines if '"GET /' in line]
    ours = [line for line in access if "serving-test" in line]
    assert len(ours) == 2 and all('"GET /healthz HTTP/1.1" 200' in line for line in ours), lines
    assert not any("MonkeyPatchWarning" in line for line in lines)  # patched before imports
    assert not any("/socket.io/" in line for line in access)  # a WebSocket is not a request


def test_a_websocket_from_another_site_gets_no_session(production_server):
    """gevent-websocket answers the upgrade before the application sees the request;
    Engine.IO's same-origin check must still refuse the session (no cross-site use of
    a visitor's cookie)."""
    port, _log = production_server
    url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
    ws = websocket.create_connection(url, timeout=10, origin="https://evil.example")
    try:
        try:
            first = ws.recv()
        except (websocket.WebSocketConnectionClosedException, ConnectionError):
            first = ""
        assert not first.startswith("0"), first  # no Engine.IO session was opened
    finally:
        ws.shutdown()  # closes the socket even when the server has closed the WebSocket
    ws = websocket.create_connection(url, timeout=10, origin=f"http://127.0.0.1:{port}")
    try:
        assert ws.recv().startswith("0")  # the site's own pages are served
    finally:
        ws.close()


def test_a_message_over_engine_io_s_limit_is_refused_before_it_is_read(production_server):
    """A frame announcing 2 GB: the WebSocket is closed at once, nothing is waited for."""
    port, _log = production_server
    url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
    ws = websocket.create_connection(url, timeout=10)
    try:
        assert ws.recv().startswith("0")
        # FIN + text, masked, 64-bit length 2**31, a mask, and no payload at all.
        ws.sock.sendall(bytes([0x81, 0x80 | 127]) + (2 ** 31).to_bytes(8, "big") + b"abcd")
        started = time.monotonic()
        opcode, data = ws.recv_data(control_frame=True)
        while opcode != websocket.ABNF.OPCODE_CLOSE:  # a ping may come first
            opcode, data = ws.recv_data(control_frame=True)
        assert int.from_bytes(data[:2], "big") == 1009  # message too big
        assert time.monotonic() - started < 5
    finally:
        ws.shutdown()
    # Two fragments of 600 KB: each under the limit, the message over it.
    ws = websocket.create_connection(url, timeout=10)
    try:
        assert ws.recv().startswith("0")
        ws.send_frame(websocket.ABNF.create_frame("4" * 600_000, websocket.ABNF.OPCODE_TEXT,
                                                  fin=0))
        with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError)):
            ws.send_frame(websocket.ABNF.create_frame(
                "4" * 600_000, websocket.ABNF.OPCODE_CONT, fin=1))
            while True:
                opcode, _data = ws.recv_data(control_frame=True)
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    raise websocket.WebSocketConnectionClosedException("closed")
    finally:
        ws.shutdown()
    ws = websocket.create_connection(url, timeout=10)  # the server serves on
    try:
        assert ws.recv().startswith("0")
        ws.send("40/live,")  # a message under the limit is read as before
        assert ws.recv().startswith("40/live,")
    finally:
        ws.shutdown()


class _AccessLog:
    def __init__(self):
        self.statuses: list[str] = []

    def access(self, resp, req_headers, environ, response_time):
        self.statuses.append(resp.status)


def test_a_keep_alive_connection_gives_way_after_each_request(monkeypatch):
    """Two pipelined requests: answered both, with a yield between them, each logged."""
    yields: list[float] = []
    real_sleep = gevent.sleep
    monkeypatch.setattr(serving.gevent, "sleep",
                        lambda seconds=0, **kw: (yields.append(seconds), real_sleep(seconds)))

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    server = pywsgi.WSGIServer(("127.0.0.1", 0), app, handler_class=serving.Handler,
                               log=None)
    server.log = _AccessLog()
    ours, theirs = gsocket.socketpair()
    theirs.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                   b"GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    handler = serving.Handler(ours, ("127.0.0.1", 1), server)
    gevent.spawn(handler.handle).join(timeout=10)
    received = b""
    theirs.settimeout(5)
    while chunk := theirs.recv(65536):
        received += chunk
    theirs.close()
    assert received.count(b"HTTP/1.1 200 OK") == 2
    assert yields == [0]  # after the first (keep-alive) request only
    assert server.log.statuses == ["200 OK", "200 OK"]


def test_pings_from_timers_are_installed_once(monkeypatch):
    from engineio import socket

    # The threading mode of the other tests keeps Engine.IO's own pings.
    monkeypatch.setattr(socket.Socket, "schedule_ping", socket.Socket.schedule_ping)
    assert serving.ping_with_timers() is True
    installed = socket.Socket.schedule_ping
    assert installed.timer_based is True
    assert serving.ping_with_timers() is True
    assert socket.Socket.schedule_ping is installed
