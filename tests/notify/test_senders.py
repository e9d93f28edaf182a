"""app/notify/senders.py against real local SMTP and HTTP servers."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest

from app.extensions import db
from app.notify.jobs import dispatch_outbox
from app.notify.models import Notification
from app.notify.senders import (
    EmailSender,
    LogSender,
    SendError,
    idempotency_key,
    sender_for,
)
from app.timeutil import utcnow


def reload(row: Notification) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, row.id)


def test_the_log_is_used_when_nothing_is_configured(app):
    assert isinstance(sender_for("email", app), LogSender)
    assert isinstance(sender_for("sms", app), LogSender)


def test_configured_transports_are_chosen(app, monkeypatch):
    monkeypatch.setenv("SMS_GATEWAY_TOKEN", "tu-moi-truong")
    app.config.update(SMTP_URL="smtp+starttls://mail.example.test", SMS_GATEWAY_URL="http://gw")
    email_sender, sms_sender = sender_for("email", app), sender_for("sms", app)
    assert (email_sender.host, email_sender.port, email_sender.scheme) == (
        "mail.example.test", 587, "smtp+starttls")
    assert (sms_sender.url, sms_sender.token) == ("http://gw", "tu-moi-truong")
    app.config["SMS_GATEWAY_TOKEN"] = "tu-cau-hinh"
    assert sender_for("sms", app).token == "tu-cau-hinh"


def test_an_unknown_smtp_scheme_is_refused():
    with pytest.raises(SendError):
        EmailSender("http://mail.example.test", "no-reply@example.test")


def test_email_goes_through_smtp_with_login(app, outbox, smtp_server):
    app.config.update(SMTP_URL=f"smtp://thu%40tinh:m%40t-khau@127.0.0.1:{smtp_server.port}",
                      MAIL_SENDER="tiepcongdan@tuyenquang.gov.vn")
    row = outbox("email", subject="Lịch tiếp công dân đã được xác nhận",
                 body="Xin chào ông/bà Nguyễn Văn An,\nMã tra cứu: ABCD-1234")
    assert dispatch_outbox()["sent"] == 1
    assert smtp_server.logins == [("thu@tinh", "m@t-khau")]
    [received] = smtp_server.messages
    assert received["to"] == ["TO:<nguoinhan@example.test>"]
    message = email.message_from_bytes(received["data"], policy=policy.default)
    assert message["Subject"] == "Lịch tiếp công dân đã được xác nhận"
    assert message["From"] == "tiepcongdan@tuyenquang.gov.vn"
    assert "Mã tra cứu: ABCD-1234" in message.get_body(("plain",)).get_content()
    assert reload(row).sent_at is not None


def test_an_unreachable_smtp_server_is_recorded_for_retry(app, outbox):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    row = outbox("email")
    assert dispatch_outbox()["failed"] == 1
    row = reload(row)
    assert row.sent_at is None and "ConnectionRefusedError" in row.last_error
    assert row.send_after > utcnow()


def test_sms_is_posted_as_json_with_a_bearer_token(app, outbox, sms_gateway):
    app.config.update(SMS_GATEWAY_URL=sms_gateway.url, SMS_GATEWAY_TOKEN="bi-mat")
    row = outbox("sms", body="Nhắc lịch: 08:00 16/02/2027")
    assert dispatch_outbox()["sent"] == 1
    assert sms_gateway.requests == [{"path": "/sms", "authorization": "Bearer bi-mat",
                                     "idempotency_key": idempotency_key(row),
                                     "json": {"to": "+84912345678",
                                              "text": "Nhắc lịch: 08:00 16/02/2027"}}]
    assert reload(row).sent_at is not None


def test_a_resent_sms_carries_the_same_idempotency_key(app, outbox, sms_gateway):
    """A gateway that has the message already drops the copy (docs/reliability.md)."""
    app.config["SMS_GATEWAY_URL"] = sms_gateway.url
    row = outbox("sms")
    sms_gateway.status = 503
    dispatch_outbox()
    reload(row).send_after = utcnow()
    db.session.commit()
    sms_gateway.status = 200
    assert dispatch_outbox()["sent"] == 1
    first, second = (r["idempotency_key"] for r in sms_gateway.requests)
    assert first == second == idempotency_key(row)
    assert str(row.id) in first


def test_the_key_differs_for_a_later_message_with_the_same_id():
    """After a restore from backup, ids are given again: the key still tells them apart."""
    from datetime import datetime

    earlier = Notification(id=7, created_at=datetime(2027, 2, 1, 8, 0, 0))
    later = Notification(id=7, created_at=datetime(2027, 2, 3, 9, 0, 0))
    assert idempotency_key(earlier) != idempotency_key(later)


def test_an_email_sent_again_has_the_same_message_id(app, outbox, smtp_server):
    app.config.update(SMTP_URL=f"smtp://127.0.0.1:{smtp_server.port}",
                      MAIL_SENDER="tiepcongdan@tuyenquang.gov.vn")
    row = outbox("email")
    sender = sender_for("email", app)
    sender.send(row)
    sender.send(row)
    ids = [email.message_from_bytes(m["data"], policy=policy.default)["Message-ID"]
           for m in smtp_server.messages]
    assert ids[0] == ids[1] == f"<{idempotency_key(row)}@tuyenquang.gov.vn>"


def test_an_sms_gateway_error_is_retried_later(app, outbox, sms_gateway):
    sms_gateway.status = 503
    app.config["SMS_GATEWAY_URL"] = sms_gateway.url
    row = outbox("sms")
    assert dispatch_outbox()["failed"] == 1
    row = reload(row)
    assert row.sent_at is None and "HTTP 503" in row.last_error and row.attempts == 1
    assert len(sms_gateway.requests) == 1 and sms_gateway.requests[0]["authorization"] is None

