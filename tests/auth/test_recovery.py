"""Password reset by a code (CONTRACT §7, app/auth/recovery.py): the code goes by SMS
to a real HTTP gateway on 127.0.0.1 as soon as the request has committed, is read
there, and sets a new password that ends every other session, cookie and token."""

from __future__ import annotations

import email
import email.policy
import re
import time

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth import codes
from app.auth.models import OneTimeCode
from app.extensions import db
from app.notify.models import Notification
from app.notify.prompt import wait_idle
from app.timeutil import utcnow
from tests.factories import PASSWORD
from tests.notify.conftest import GatewayServer, SmtpServer, _serve

NEW_PASSWORD = "mat-khau-moi-2027"
RESET = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"


@pytest.fixture
def sms_sink(app):
    """A real SMS gateway on 127.0.0.1; the outbox is dispatched on commit, as in
    production (no job is run by hand)."""
    server_iter = _serve(GatewayServer())
    server = next(server_iter)
    app.config.update(SMS_GATEWAY_URL=server.url, OUTBOX_DISPATCH_ON_COMMIT=True)
    yield server
    assert wait_idle(20)
    next(server_iter, None)


def code_sent_to(sink, phone: str, *, after: int = 0, timeout: float = 8) -> str:
    """The 6-digit code in the ``after``-th+1 SMS the gateway received for ``phone``.

    The test's own transaction ends first: on SQLite it would hold the write lock the
    dispatcher needs."""
    db.session.commit()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = [r["json"]["text"] for r in sink.requests if r["json"]["to"] == phone]
        if len(texts) > after:
            found = re.findall(r"\b(\d{6})\b", texts[after])
            assert len(found) == 1, texts[after]
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no SMS reached the gateway for {phone} within {timeout} s")


def browser(app):
    return app.test_client()


def signed_in(app, user):
    client = browser(app)
    response = client.post("/login", data={"username": user.email, "password": PASSWORD,
                                           "remember": "y"})
    assert response.status_code == 302
    return client


def is_signed_in(client) -> bool:
    return client.get("/profile").status_code == 200


def api_status(client, token) -> int:
    return client.post("/api/v1/me/calendar-token",
                       headers={"Authorization": f"Bearer {token}"}).status_code


def post(client, path, body, address="203.0.113.9"):
    db.session.commit()
    response = client.post(path, json=body, environ_base={"REMOTE_ADDR": address})
    db.session.expire_all()
    return response


def test_reset_by_api_end_to_end(app, client, make, sms_sink):
    user = make.make_user("citizen")
    token = make.token_for(user)
    there = signed_in(app, user)
    assert is_signed_in(there) and api_status(client, token) == 200

    started = time.monotonic()
    answer = post(client, RESET, {"username": user.phone})
    assert answer.status_code == 202 and answer.get_json() == {"ok": True}
    assert time.monotonic() - started < 2  # the request did not wait for the gateway
    code = code_sent_to(sms_sink, user.phone)
    row = db.session.scalar(select(Notification).where(Notification.user_id == user.id))
    assert (row.channel, row.kind, row.sent_at is not None) == ("sms", "password_reset_code",
                                                                True)
    assert db.session.scalar(select(OneTimeCode.code_hash)) != code  # only a digest kept

    done = post(client, CONFIRM, {"username": user.email, "code": code,
                                  "password": NEW_PASSWORD})
    assert done.status_code == 200, done.get_json()
    assert not is_signed_in(there)
    assert api_status(client, token) == 401
    assert post(client, "/api/v1/auth/login", {"username": user.email,
                                               "password": PASSWORD}).status_code == 401
    assert post(client, "/api/v1/auth/login", {"username": user.email,
                                               "password": NEW_PASSWORD}).status_code == 200
    again = post(client, CONFIRM, {"username": user.email, "code": code,
                                   "password": "mot-mat-khau-khac-9"})
    assert again.status_code == 422  # a code works once

    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [e.action for e in events]
    assert "password_reset_requested" in actions and "password_reset" in actions
    assert all(code not in (e.detail or "") for e in events)
    confirmed = next(e for e in events if e.action == "password_reset")
    assert confirmed.actor_id == user.id and '"via": "code"' in confirmed.detail


def test_no_account_is_revealed(app, client, make):
    user = make.make_user("citizen")
    known = post(client, RESET, {"username": user.email})
    unknown = post(client, RESET, {"username": "khong-ai@example.test"}, address="198.51.100.4")
    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data()
    assert db.session.scalar(select(db.func.count(Notification.id))) == 1
    wrong = post(client, CONFIRM, {"username": "khong-ai@example.test", "code": "123456",
                                   "password": NEW_PASSWORD})
    assert wrong.status_code == 422 and wrong.get_json()["error"] == "validation_error"
    assert "code" in wrong.get_json()["errors"]


def test_wrong_code_five_times_locks_the_code(app, client, make, sms_sink):
    user = make.make_user("citizen")
    post(client, RESET, {"username": user.email})
    code = code_sent_to(sms_sink, user.phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(codes.MAX_TRIES):
        answer = post(client, CONFIRM, {"username": user.email, "code": wrong,
                                        "password": NEW_PASSWORD})
        assert answer.status_code == 422
        assert answer.get_json()["errors"]["code"] == "Mã xác nhận không đúng hoặc đã hết hạn."
    locked = post(client, CONFIRM, {"username": user.email, "code": code,
                                    "password": NEW_PASSWORD})
    assert locked.status_code == 422
    assert post(client, "/api/v1/auth/login", {"username": user.email,
                                               "password": PASSWORD}).status_code == 200


def test_an_expired_code_is_refused(app, client, make, sms_sink):
    user = make.make_user("citizen")
    post(client, RESET, {"username": user.email})
    code = code_sent_to(sms_sink, user.phone)
    row = db.session.scalar(select(OneTimeCode))
    assert abs((row.expires_at - utcnow()).total_seconds() - 600) < 30  # 10 minutes
    row.expires_at = utcnow().replace(microsecond=0) - codes.LIFETIME / 600  # 1 s ago
    db.session.commit()
    answer = post(client, CONFIRM, {"username": user.email, "code": code,
                                    "password": NEW_PASSWORD})
    assert answer.status_code == 422 and "code" in answer.get_json()["errors"]


def test_a_new_request_replaces_the_code(app, client, make, sms_sink):
    user = make.make_user("citizen")
    post(client, RESET, {"username": user.email})
    first = code_sent_to(sms_sink, user.phone)
    post(client, RESET, {"username": user.email})
    second = code_sent_to(sms_sink, user.phone, after=1)
    if first != second:
        assert post(client, CONFIRM, {"username": user.email, "code": first,
                                      "password": NEW_PASSWORD}).status_code == 422
    assert post(client, CONFIRM, {"username": user.email, "code": second,
                                  "password": NEW_PASSWORD}).status_code == 200
    assert db.session.scalar(select(db.func.count(OneTimeCode.id))) == 0


def test_a_weak_password_is_refused_without_using_a_try(app, client, make, sms_sink):
    user = make.make_user("citizen")
    post(client, RESET, {"username": user.email})
    code = code_sent_to(sms_sink, user.phone)
    for weak in ("12345678", "ngan1", user.email):
        answer = post(client, CONFIRM, {"username": user.email, "code": code, "password": weak})
        assert answer.status_code == 422 and "password" in answer.get_json()["errors"]
    assert db.session.scalar(select(OneTimeCode.attempts)) == 0
    assert post(client, CONFIRM, {"username": user.email, "code": code,
                                  "password": NEW_PASSWORD}).status_code == 200


def test_malformed_bodies_are_refused_cleanly(app, client, make):
    assert client.post(RESET, data="x", content_type="application/json").status_code == 400
    for body in ({}, {"username": 5}, {"username": ["a"]}, {"username": " "},
                 {"username": "x" * 5000}):
        answer = post(client, RESET, body, address="198.51.100.8")
        assert answer.status_code == 422 and answer.get_json()["errors"] == {
            "username": "Vui lòng nhập trường này."}
    for body in ({"username": 5, "code": 123456, "password": 7}, {"code": None}):
        answer = post(client, CONFIRM, body)
        assert answer.status_code == 422 and answer.get_json()["error"] == "validation_error"
        assert set(answer.get_json()["errors"]) == {"username", "code", "password"}
    assert db.session.scalar(select(db.func.count(Notification.id))) == 0


def test_an_account_without_phone_gets_the_code_by_email(app, client, make):
    from app.notify.jobs import dispatch_outbox

    user = make.make_user("citizen", phone=None)
    server_iter = _serve(SmtpServer())
    smtp = next(server_iter)
    try:
        app.config.update(SMTP_URL=f"smtp://127.0.0.1:{smtp.port}")
        post(client, RESET, {"username": user.email})
        dispatch_outbox()
        assert len(smtp.messages) == 1 and smtp.messages[0]["to"] == [f"TO:<{user.email}>"]
        mail = email.message_from_bytes(smtp.messages[0]["data"], policy=email.policy.default)
        assert mail["Subject"] == "Mã đặt lại mật khẩu"
        code = re.findall(r"\b(\d{6})\b", mail.get_body().get_content())[0]
    finally:
        next(server_iter, None)
    assert post(client, CONFIRM, {"username": user.email, "code": code,
                                  "password": NEW_PASSWORD}).status_code == 200


def test_the_code_never_goes_by_zalo(app, client, make):
    """Whatever template a kind is given, the code is queued on the SMS channel."""
    app.config["ZALO_ZNS_TEMPLATES"] = {"password_reset_code": "1", "booking_received": "2"}
    user = make.make_user("citizen")
    post(client, RESET, {"username": user.email})
    channels = db.session.scalars(select(Notification.channel)).all()
    assert channels == ["sms"]


def test_inactive_accounts_get_no_code(app, client, make):
    user = make.make_user("citizen", is_active_account=False)
    assert post(client, RESET, {"username": user.email}).status_code == 202
    assert db.session.scalar(select(db.func.count(Notification.id))) == 0


def test_requests_are_limited_per_username_and_per_address(app, client, make):
    user = make.make_user("citizen")
    for n in range(5):  # five per hour for one account, from any addresses
        assert post(client, RESET, {"username": user.email},
                    address=f"198.51.100.{n + 1}").status_code == 202
    limited = post(client, RESET, {"username": user.email}, address="198.51.100.50")
    assert limited.status_code == 429 and limited.get_json()["error"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    for n in range(20):  # twenty per hour from one address, whatever the names
        assert post(client, RESET, {"username": f"ten{n}@example.test"},
                    address="192.0.2.1").status_code == 202
    assert post(client, RESET, {"username": "ten-khac@example.test"},
                address="192.0.2.1").status_code == 429
    # The web form shares the same counters.
    assert client.post("/password-reset", data={"username": user.email},
                       environ_base={"REMOTE_ADDR": "198.51.100.60"}).status_code == 429


def test_confirm_tries_are_limited(app, client, make):
    for n in range(10):
        assert post(client, CONFIRM, {"username": "ai-do@example.test", "code": "000000",
                                      "password": NEW_PASSWORD},
                    address=f"198.51.100.{n + 1}").status_code == 422
    assert post(client, CONFIRM, {"username": "ai-do@example.test", "code": "000000",
                                  "password": NEW_PASSWORD},
                address="198.51.100.99").status_code == 429


# --- the web pages -----------------------------------------------------------------------

def test_reset_on_the_web_end_to_end(app, make, sms_sink):
    user = make.make_user("citizen")
    token = make.token_for(user)
    there = signed_in(app, user)
    visitor = browser(app)

    login_page = visitor.get("/login").get_data(as_text=True)
    assert 'href="/password-reset"' in login_page and "Quên mật khẩu?" in login_page
    form = visitor.get("/password-reset").get_data(as_text=True)
    assert 'for="username"' in form and 'autocomplete="username"' in form

    asked = visitor.post("/password-reset", data={"username": user.phone})
    assert asked.status_code == 302 and asked.headers["Location"].endswith(
        "/password-reset/confirm")
    page = visitor.get("/password-reset/confirm").get_data(as_text=True)
    assert "Nếu tài khoản tồn tại" in page  # the flash, the same for any name
    assert f'value="{user.phone}"' in page  # the name given is filled in
    code_input = re.search(r'<input[^>]*name="code"[^>]*>', page).group(0)
    assert 'autocomplete="one-time-code"' in code_input and 'inputmode="numeric"' in code_input
    assert 'for="code"' in page and 'autocomplete="new-password"' in page

    code = code_sent_to(sms_sink, user.phone)
    wrong = visitor.post("/password-reset/confirm", data={
        "username": user.phone, "code": f"{(int(code) + 1) % 1_000_000:06d}",
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert wrong.status_code == 200
    assert "Mã xác nhận không đúng hoặc đã hết hạn." in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(OneTimeCode.attempts)) == 1  # the try was committed

    done = visitor.post("/password-reset/confirm", data={
        "username": user.phone, "code": code, "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert "Đã đặt lại mật khẩu" in visitor.get("/login").get_data(as_text=True)
    assert not is_signed_in(there) and api_status(visitor, token) == 401
    assert visitor.post("/login", data={"username": user.email,
                                        "password": NEW_PASSWORD}).status_code == 302
    assert is_signed_in(visitor)


def test_web_unknown_name_gets_the_same_page(app, make):
    user = make.make_user("citizen")
    known, unknown = browser(app), browser(app)
    a = known.post("/password-reset", data={"username": user.email})
    b = unknown.post("/password-reset", data={"username": "khong-ai@example.test"})
    assert (a.status_code, a.headers["Location"]) == (b.status_code, b.headers["Location"])
    page_a = known.get(a.headers["Location"]).get_data(as_text=True)
    page_b = unknown.get(b.headers["Location"]).get_data(as_text=True)
    assert page_a.replace(user.email, "X") == page_b.replace("khong-ai@example.test", "X")


def test_web_confirm_checks_the_form(app, make):
    visitor = browser(app)
    page = visitor.post("/password-reset/confirm", data={
        "username": "a@example.test", "code": "123456", "password": NEW_PASSWORD,
        "confirm": "khac-hoan-toan-1"})
    assert page.status_code == 200 and "Hai mật khẩu không khớp." in page.get_data(as_text=True)
    weak = visitor.post("/password-reset/confirm", data={
        "username": "a@example.test", "code": "123456", "password": "12345678",
        "confirm": "12345678"})
    assert "Mật khẩu phải có ít nhất" in weak.get_data(as_text=True)


def test_pages_in_english(app, make):
    visitor = browser(app)
    visitor.get("/lang/en")
    assert "Forgot your password?" in visitor.get("/login").get_data(as_text=True)
    page = visitor.get("/password-reset/confirm").get_data(as_text=True)
    assert "Reset password" in page and "Verification code (6 digits)" in page
