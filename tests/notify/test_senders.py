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
    assert "Mã tra cứu: ABCD-1234" in message.get_content()
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
                                     "json": {"to": "+84912345678",
                                              "text": "Nhắc lịch: 08:00 16/02/2027"}}]
    assert reload(row).sent_at is not None


def test_an_sms_gateway_error_is_retried_later(app, outbox, sms_gateway):
    sms_gateway.status = 503
    app.config["SMS_GATEWAY_URL"] = sms_gateway.url
    row = outbox("sms")
    assert dispatch_outbox()["failed"] == 1
    row = reload(row)
    assert row.sent_at is None and "HTTP 503" in row.last_error and row.attempts == 1
    assert len(sms_gateway.requests) == 1 and sms_gateway.requests[0]["authorization"] is None

