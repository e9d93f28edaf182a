"""A dispatcher process killed (SIGKILL) after the provider received a message and before
the outbox recorded it: the next run sends it again under the same idempotency key, so
the provider drops the copy, and the outbox shows one message sent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.notify.jobs import dispatch_outbox
from app.notify.models import Notification
from app.notify.senders import idempotency_key
from tests.notify.conftest import ZNS_SUCCESS, ZNS_TEMPLATES, _JsonSink, _serve

ROOT = Path(__file__).resolve().parents[2]
DISPATCHER = """
import sys
from app import create_app
from app.notify.jobs import dispatch_outbox
app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                  "SMS_GATEWAY_URL": sys.argv[2], "ZALO_ZNS_URL": sys.argv[2],
                  "ZALO_OA_ACCESS_TOKEN": "oa-token", "ZALO_ZNS_TEMPLATES": sys.argv[3]})
with app.app_context():
    dispatch_outbox()
"""


class _SinkHandler(_JsonSink):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self.server.received.append({"key": self.headers.get("Idempotency-Key"),
                                     "tracking_id": body.get("tracking_id")})
        self.server.arrived.set()
        if self.server.hold:
            self.server.release.wait(30)  # the sender is killed meanwhile
            return
        self.reply(200, json.dumps(ZNS_SUCCESS).encode())


class Sink(ThreadingHTTPServer):
    """Takes a message as the SMS gateway or Zalo would; while ``hold`` it keeps the
    sender waiting for its answer, as a provider that took the message but whose answer
    never arrives."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SinkHandler)
        self.received: list[dict] = []
        self.hold, self.arrived, self.release = True, threading.Event(), threading.Event()
        self.url = f"http://127.0.0.1:{self.server_address[1]}/send"


@pytest.fixture
def sink():
    server = Sink()
    try:
        yield from _serve(server)
    finally:
        server.release.set()


@pytest.mark.parametrize("channel", ["sms", "zalo"])
def test_a_dispatcher_killed_between_send_and_record_sends_once(
        app, database_url, outbox, sink, channel):
    facts = {"tracking_code": "ABCD-EFGH-JKLMN", "date": "16/02/2027", "time": "08:00",
             "unit": "Xã Thượng Lâm", "link": "https://tcd.example.vn/track"}
    row = outbox(channel, kind="booking_accepted", facts=facts, body="Nhac lich")
    process = subprocess.Popen(
        [sys.executable, "-c", DISPATCHER, database_url, sink.url, json.dumps(ZNS_TEMPLATES)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert sink.arrived.wait(60), process.stderr.read().decode()[-2000:] \
            if process.poll() is not None else "the dispatcher sent nothing"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stderr.close()
    db.session.expire_all()
    claimed = db.session.get(Notification, row.id)
    assert claimed.sent_at is None and claimed.claimed_by.endswith(f":{process.pid}")

    sink.hold = False
    app.config.update(SMS_GATEWAY_URL=sink.url, ZALO_ZNS_URL=sink.url,
                      ZALO_ZNS_TEMPLATES=dict(ZNS_TEMPLATES))
    assert dispatch_outbox()["sent"] == 1  # the killed process's claim is released at once
    assert dispatch_outbox()["sent"] == 0
    key = idempotency_key(claimed)
    assert [r["key"] for r in sink.received] == [key, key]
    if channel == "zalo":
        assert [r["tracking_id"] for r in sink.received] == [key, key]
    db.session.expire_all()
    row = db.session.get(Notification, row.id)
    assert (row.channel, row.attempts, row.claimed_by) == (channel, 2, None)
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.sent_at.is_not(None))) == 1
