"""Web Push through the outbox, to a real push service sink on 127.0.0.1: the message is
encrypted to the browser's keys (aes128gcm) and signed with VAPID; a subscription the
push service says is gone is deleted and the message goes by SMS instead."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import select

from app.cli import vapid_keys_command
from app.extensions import db
from app.live import services
from app.live.turn_near import notify_turn_near
from app.notify.jobs import dispatch_outbox
from app.notify.models import Notification, PushSubscription
from app.notify.push import b64url, b64url_decode, new_vapid_keys
from app.timeutil import utcnow


class _PushHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                     "body": body})
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


class PushService(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _PushHandler)
        self.requests: list[dict] = []
        self.status = 201
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def push_service():
    server = PushService()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


class Browser:
    """A browser's side of a subscription: its P-256 key pair and 16-byte auth secret."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.p256dh = b64url(self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    def subscription(self, endpoint: str) -> dict:
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth,
                                           version="aes128gcm"))


@pytest.fixture
def vapid(app):
    public, private = new_vapid_keys()
    app.config.update(VAPID_PUBLIC_KEY=public, VAPID_PRIVATE_KEY=private,
                      VAPID_SUBJECT="mailto:tiepcongdan@tuyenquang.gov.vn")
    return public


@pytest.fixture
def waiting(app, make):
    """A session under way: three citizens checked in, the first one called."""
    unit = make.make_unit()
    host = make.make_user("host", unit=unit)
    reception = make.make_reception(unit, host, starts_in_minutes=-5, slot_minutes=10)
    citizens = [make.make_user("citizen") for _ in range(4)]
    bookings = [make.make_booking(reception, c, slot_index=i) for i, c in enumerate(citizens)]
    for citizen in citizens:
        services.check_in_citizen(reception, citizen, utcnow())
    services.call_next_citizen(reception, actor=host, now=utcnow())
    db.session.commit()
    return reception, citizens, bookings


def subscribe(user, browser: Browser, endpoint: str) -> PushSubscription:
    info = browser.subscription(endpoint)
    row = PushSubscription(user_id=user.id, endpoint=info["endpoint"],
                           p256dh=info["keys"]["p256dh"], auth=info["keys"]["auth"])
    db.session.add(row)
    db.session.commit()
    return row


def _verify_vapid(header: str, public_key: str, audience: str) -> dict:
    """The claims of a ``vapid t=<JWT>, k=<key>`` header, after checking its ES256 signature."""
    assert header.startswith("vapid ")
    parts = dict(part.strip().split("=", 1) for part in header[6:].split(","))
    assert parts["k"] == public_key
    head, claims, signature = parts["t"].split(".")
    raw = b64url_decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(public_key))
    key.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    decoded = json.loads(b64url_decode(claims))
    assert decoded["aud"] == audience
    return decoded


def test_turn_near_goes_by_web_push_encrypted_and_signed(waiting, vapid, push_service):
    reception, citizens, bookings = waiting
    browser = Browser()
    subscribe(citizens[3], browser, f"{push_service.origin}/push/abc")
    assert bookings[3].id in notify_turn_near(reception, utcnow())
    db.session.commit()
    rows = db.session.scalars(select(Notification).where(
        Notification.dedupe_key.startswith(f"turn_near:{bookings[3].id}:"))).all()
    assert [r.channel for r in rows] == ["push"]  # a browser that takes it: no SMS

    assert dispatch_outbox()["sent"] >= 1
    [request] = push_service.requests
    assert request["path"] == "/push/abc"
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert int(request["headers"]["ttl"]) > 0
    claims = _verify_vapid(request["headers"]["authorization"], vapid, push_service.origin)
    assert claims["sub"] == "mailto:tiepcongdan@tuyenquang.gov.vn"
    message = browser.decrypt(request["body"])
    assert message["url"].endswith(f"/live/{reception.id}/room")
    assert message["tag"] == f"turn_near:{bookings[3].id}"
    assert "Còn 2 người trước ông/bà" in message["body"]
    assert bookings[3].tracking_code in message["title"]
    db.session.expire_all()
    assert db.session.get(Notification, rows[0].id).sent_at is not None

    assert notify_turn_near(reception, utcnow()) == []  # once per booking
    db.session.commit()
    assert dispatch_outbox()["sent"] == 0 and len(push_service.requests) == 1


@pytest.mark.parametrize("status", [410, 404])
def test_a_gone_subscription_is_deleted_and_the_message_goes_by_sms(
        waiting, vapid, push_service, sms_gateway, app, status):
    app.config["SMS_GATEWAY_URL"] = sms_gateway.url
    reception, citizens, bookings = waiting
    push_service.status = status
    subscription = subscribe(citizens[3], Browser(), f"{push_service.origin}/push/gone")
    notify_turn_near(reception, utcnow())
    db.session.commit()
    dispatch_outbox()
    assert len(push_service.requests) == 1
    db.session.expire_all()
    assert db.session.get(PushSubscription, subscription.id) is None
    rows = {r.channel: r for r in db.session.scalars(select(Notification).where(
        Notification.dedupe_key.startswith(f"turn_near:{bookings[3].id}:")))}
    assert set(rows) == {"push", "sms", "email"}
    assert rows["push"].failed_at is not None and rows["push"].sent_at is None
    assert rows["sms"].dedupe_key == f"turn_near:{bookings[3].id}:sms"
    assert set(rows["sms"].facts) == {"tracking_code", "date", "time", "unit", "link",
                                      "position"}
    dispatch_outbox()  # the fallback went out (or goes now): once
    texts = [r["json"] for r in sms_gateway.requests if r["json"]["to"] == citizens[3].phone]
    assert len(texts) == 1
    assert bookings[3].tracking_code in texts[0]["text"]
    assert len(push_service.requests) == 1  # the push was not retried


def test_a_failing_push_service_is_retried_not_replaced(waiting, vapid, push_service):
    reception, citizens, bookings = waiting
    push_service.status = 500
    subscribe(citizens[3], Browser(), f"{push_service.origin}/push/busy")
    notify_turn_near(reception, utcnow())
    db.session.commit()
    assert dispatch_outbox()["failed"] == 1  # the push; the others' SMS and e-mail went
    db.session.expire_all()
    row = db.session.scalar(select(Notification).where(Notification.channel == "push"))
    assert row.failed_at is None and row.send_after > utcnow()
    assert db.session.scalar(select(PushSubscription)) is not None
    assert db.session.scalar(select(Notification).where(
        Notification.channel == "sms", Notification.user_id == citizens[3].id)) is None


def test_without_vapid_keys_the_subscription_is_ignored(waiting, push_service):
    reception, citizens, bookings = waiting
    subscribe(citizens[3], Browser(), f"{push_service.origin}/push/abc")
    notify_turn_near(reception, utcnow())
    channels = {r.channel for r in db.session.scalars(select(Notification).where(
        Notification.kind == "turn_near", Notification.user_id == citizens[3].id))}
    assert channels == {"email", "sms"}


def test_vapid_keys_command_prints_a_matching_pair(app):
    result = CliRunner().invoke(vapid_keys_command, [])
    assert result.exit_code == 0, result.output
    values = dict(line.split("=", 1) for line in result.output.splitlines())
    public, private = b64url_decode(values["VAPID_PUBLIC_KEY"]), b64url_decode(
        values["VAPID_PRIVATE_KEY"])
    assert len(public) == 65 and public[0] == 4 and len(private) == 32
    key = ec.derive_private_key(int.from_bytes(private, "big"), ec.SECP256R1())
    assert key.public_key().public_bytes(serialization.Encoding.X962,
                                         serialization.PublicFormat.UncompressedPoint) == public
    assert values["VAPID_SUBJECT"].startswith("mailto:")
