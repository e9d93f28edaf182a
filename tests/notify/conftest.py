"""Fixtures for the outbox: recording senders and real local SMTP and HTTP servers."""

from __future__ import annotations

import base64
import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.extensions import db
from app.notify.models import Notification


class RecordingSender:
    """A sender that keeps what it was given; fails while ``error`` is set."""

    def __init__(self, error: Exception | None = None):
        self.sent: list[tuple[int, str, str]] = []
        self.error = error

    def send(self, notification) -> None:
        if self.error is not None:
            raise self.error
        self.sent.append((notification.id, notification.channel, notification.recipient))


@pytest.fixture
def sender():
    """A recording sender used for every channel."""
    return RecordingSender()


@pytest.fixture
def outbox(app):
    """Add a due notification: ``outbox(channel="sms", **fields)``."""
    def add(channel: str = "email", **fields) -> Notification:
        values = {"recipient": "nguoinhan@example.test" if channel == "email" else "+84912345678",
                  "subject": "Nhắc lịch tiếp công dân", "body": "Xin chào ông/bà,\nNội dung."}
        values.update(fields)
        row = Notification(channel=channel, **values)
        db.session.add(row)
        db.session.commit()
        return row
    return add


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, QUIT."""

    def reply(self, *lines: str) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())

    def handle(self) -> None:
        envelope: dict = {"to": []}
        self.reply("220 localhost test SMTP")
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, argument = command.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.reply("250-localhost", "250-AUTH PLAIN", "250 8BITMIME")
            elif verb == "AUTH":
                _user, login, password = base64.b64decode(argument.split()[1]).split(b"\0")
                self.server.logins.append((login.decode(), password.decode()))
                self.reply("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                envelope["from"] = argument
                self.reply("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(argument)
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                envelope["data"] = self._read_data()
                self.server.messages.append(dict(envelope))
                envelope = {"to": []}
                self.reply("250 OK: queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK" if verb in ("HELO", "RSET", "NOOP") else "502 Unknown")

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.messages: list[dict] = []
        self.logins: list[tuple[str, str]] = []
        self.port = self.server_address[1]


class _JsonSink(BaseHTTPRequestHandler):
    """A provider's HTTP endpoint: answers JSON, logs nothing."""

    def reply(self, status: int, answer: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


class _GatewayHandler(_JsonSink):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append({"path": self.path, "json": json.loads(body),
                                     "authorization": self.headers.get("Authorization"),
                                     "idempotency_key": self.headers.get("Idempotency-Key")})
        answer = (json.dumps({"ok": True, "id": f"sms-{len(self.server.requests)}"}).encode()
                  if self.server.status < 300 else b'{"error": "down"}')
        self.reply(self.server.status, answer)


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _GatewayHandler)
        self.requests: list[dict] = []
        self.status = 200
        self.url = f"http://127.0.0.1:{self.server_address[1]}/sms"


def _serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 in a thread; ``.messages`` holds what it received."""
    yield from _serve(SmtpServer())


@pytest.fixture
def sms_gateway():
    """A real HTTP SMS gateway on 127.0.0.1 in a thread; set ``.status`` to make it fail."""
    yield from _serve(GatewayServer())


ZNS_SUCCESS = {"error": 0, "message": "Success",
               "data": {"msg_id": "a1b2c3d4e5", "sent_time": "1700000000000"}}
ZNS_NO_ZALO = {"error": -118, "message": "Zalo account not existed"}


class _ZnsHandler(_JsonSink):
    """Zalo's ZNS endpoint: HTTP 200 and a JSON ``error`` (0 when it took the message);
    a phone of ``server.refused_phones`` gets the no-Zalo error whatever ``answer`` is."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self.server.requests.append({"path": self.path, "json": body,
                                     "access_token": self.headers.get("access_token"),
                                     "idempotency_key": self.headers.get("Idempotency-Key")})
        refused = body.get("phone") in self.server.refused_phones
        answer = json.dumps(ZNS_NO_ZALO if refused else self.server.answer).encode()
        self.reply(self.server.status, answer)


class ZnsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _ZnsHandler)
        self.requests: list[dict] = []
        self.status, self.answer = 200, dict(ZNS_SUCCESS)
        self.refused_phones: set[str] = set()
        self.url = f"http://127.0.0.1:{self.server_address[1]}/message/template"


@pytest.fixture
def zns():
    """A Zalo ZNS endpoint on 127.0.0.1 in a thread; set ``.answer`` (or ``.status``)."""
    yield from _serve(ZnsServer())


ZNS_TEMPLATES = {"booking_received": "301001", "booking_accepted": "301002",
                 "booking_moved": "301003", "booking_cancelled": "301004",
                 "booking_reminder": "301005", "turn_near": "301006"}


@pytest.fixture
def zalo_app(app, zns, sms_gateway):
    """The app with Zalo ZNS and an SMS gateway configured, both real local servers."""
    app.config.update(ZALO_ZNS_URL=zns.url, ZALO_OA_ACCESS_TOKEN="oa-token",
                      ZALO_ZNS_TEMPLATES=dict(ZNS_TEMPLATES), SMS_GATEWAY_URL=sms_gateway.url)
    return app
