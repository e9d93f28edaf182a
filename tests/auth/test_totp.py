"""Two-step verification of staff (app/auth/totp.py): enable, log in, replay, recovery, API."""

from __future__ import annotations

import re
import time

import pyotp
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth import totp
from app.auth.models import RecoveryCode
from app.extensions import db
from tests.factories import PASSWORD, sign_in


def text(response) -> str:
    return response.get_data(as_text=True)


def actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def with_totp(user) -> tuple[str, list[str]]:
    """Turn TOTP on for ``user`` through the service; (secret, recovery codes)."""
    secret = totp.new_secret()
    codes = totp.enable(user, secret, pyotp.TOTP(secret).now())
    assert codes is not None
    user.totp_last_step = None  # the next test code of this step is fresh again
    db.session.commit()
    return secret, codes


def fresh_code(user, secret) -> str:
    """The current code, with the replay guard moved back so that it counts as unused."""
    db.session.refresh(user)
    user.totp_last_step = None
    db.session.commit()
    return pyotp.TOTP(secret).now()


def test_staff_enables_totp_with_a_qr_code_and_sees_recovery_codes_once(client, make):
    officer = make.make_user("officer")
    sign_in(client, officer)
    assert "Xác thực hai bước đang tắt." in text(client.get("/profile/security"))
    page = client.get("/profile/security/totp")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    body = text(page)
    assert 'src="data:image/svg+xml' in body
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', body).group(1).replace(" ", "")

    wrong = client.post("/profile/security/totp", data={"code": "000000"})
    assert wrong.status_code == 200 and "Mã xác thực không đúng" in text(wrong)
    db.session.refresh(officer)
    assert not officer.totp_enabled

    done = client.post("/profile/security/totp", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", text(done))
    assert len(codes) == 10 and done.headers["Cache-Control"] == "no-store"
    db.session.refresh(officer)
    assert officer.totp_enabled
    assert secret not in officer.totp_secret and totp.decrypt_secret(officer.totp_secret) == secret
    hashes = set(db.session.scalars(select(RecoveryCode.code_hash)))
    assert len(hashes) == 10 and not any(c.replace("-", "") in hashes for c in codes)
    assert actions().count("totp_enable") == 1 and "totp_failed" in actions()

    # The secret is never shown again.
    assert client.get("/profile/security/totp").status_code == 302
    assert secret not in text(client.get("/profile/security"))


def test_citizens_and_visitors_have_no_totp_pages(client, make):
    assert client.get("/profile/security").status_code == 302  # to the login page
    sign_in(client, make.make_user("citizen"))
    assert client.get("/profile/security").status_code == 403
    assert client.get("/profile/security/totp").status_code == 403


def test_a_code_is_accepted_once_and_older_codes_after_it_are_refused(app, make):
    user = make.make_user("secretary")
    secret, _codes = with_totp(user)
    now = time.time()
    code = pyotp.TOTP(secret).at(now)
    assert totp.verify_code(user, code, now=now)
    assert not totp.verify_code(user, code, now=now)  # replay in the same window
    earlier = pyotp.TOTP(secret).at(now - 30)
    assert not totp.verify_code(user, earlier, now=now)  # a step before the one used
    later = pyotp.TOTP(secret).at(now + 30)
    assert totp.verify_code(user, later, now=now + 30)
    assert not totp.verify_code(user, "12345", now=now) and not totp.verify_code(user, "abcdef")


def test_login_asks_for_the_code_before_signing_in(client, make):
    host = make.make_user("host")
    secret, _codes = with_totp(host)
    first = client.post("/login?next=/profile", data={"username": host.email,
                                                      "password": PASSWORD})
    assert first.status_code == 302 and first.headers["Location"].endswith("/login/totp")
    assert client.get("/profile").status_code == 302  # not signed in yet
    assert "login" not in actions()

    wrong = client.post("/login/totp", data={"code": "000000"})
    assert wrong.status_code == 200 and "Mã xác thực không đúng" in text(wrong)
    db.session.refresh(host)
    assert host.failed_logins == 1 and actions()[-2:] == ["totp_failed", "login_failed"]

    right = client.post("/login/totp", data={"code": fresh_code(host, secret)})
    assert right.status_code == 302 and right.headers["Location"] == "/profile"
    assert client.get("/profile").status_code == 200
    db.session.refresh(host)
    assert host.failed_logins == 0 and actions()[-1] == "login"


def test_wrong_codes_count_as_failures_of_the_address(client, make):
    host = make.make_user("host")
    _secret, _codes = with_totp(host)
    client.post("/login", data={"username": host.email, "password": PASSWORD})
    for _ in range(10):
        client.post("/login/totp", data={"code": "000000"})
    db.session.refresh(host)
    assert host.failed_logins == 10 and host.locked_until is None
    # This address now waits (app/auth/throttle.py); the account itself is not locked.
    refused = client.post("/login", data={"username": host.email, "password": PASSWORD})
    assert refused.status_code == 429 and client.get("/profile").status_code == 302


def test_the_second_step_expires_and_needs_a_pending_login(client, make):
    assert client.get("/login/totp").status_code == 302
    host = make.make_user("host")
    with_totp(host)
    client.post("/login", data={"username": host.email, "password": PASSWORD})
    with client.session_transaction() as cookie:
        cookie["totp_pending"] = {**cookie["totp_pending"], "at": int(time.time()) - 301}
    response = client.get("/login/totp")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_a_recovery_code_works_once(client, make):
    host = make.make_user("host")
    _secret, codes = with_totp(host)
    client.post("/login", data={"username": host.email, "password": PASSWORD})
    assert client.post("/login/totp", data={"code": codes[0].upper()}).status_code == 302
    assert "totp_recovery_used" in actions()
    client.post("/logout")
    client.post("/login", data={"username": host.email, "password": PASSWORD})
    again = client.post("/login/totp", data={"code": codes[0]})
    assert again.status_code == 200 and client.get("/profile").status_code == 302


def test_disabling_needs_the_password_and_a_code(client, make):
    deputy = make.make_user("deputy")
    secret, _codes = with_totp(deputy)
    sign_in(client, deputy)
    client.post("/profile/security/totp/disable",
                data={"off-password": "sai-mat-khau1", "off-code": fresh_code(deputy, secret)})
    db.session.refresh(deputy)
    assert deputy.totp_enabled
    client.post("/profile/security/totp/disable",
                data={"off-password": PASSWORD, "off-code": "000000"})
    db.session.refresh(deputy)
    assert deputy.totp_enabled and actions()[-2:] == ["totp_failed", "login_failed"]
    client.post("/profile/security/totp/disable",
                data={"off-password": PASSWORD, "off-code": fresh_code(deputy, secret)})
    db.session.refresh(deputy)
    assert not deputy.totp_enabled and deputy.totp_secret is None
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    assert actions()[-1] == "totp_disable"


def test_new_recovery_codes_replace_the_old_ones(client, make):
    deputy = make.make_user("deputy")
    secret, old = with_totp(deputy)
    sign_in(client, deputy)
    page = client.post("/profile/security/recovery-codes",
                       data={"renew-password": PASSWORD, "renew-code": fresh_code(deputy, secret)})
    new = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", text(page))
    assert len(new) == 10 and not set(new) & set(old)
    db.session.refresh(deputy)
    assert not totp.use_recovery_code(deputy, old[0]) and totp.use_recovery_code(deputy, new[0])


def test_api_token_needs_the_code_when_totp_is_on(api, make):
    inspector = make.make_user("inspector")
    secret, _codes = with_totp(inspector)
    creds = {"username": inspector.email, "password": PASSWORD}
    missing = api.post("/auth/login", json=creds)
    assert missing.status_code == 401 and missing.get_json()["error"] == "totp_required"
    wrong = api.post("/auth/login", json={**creds, "totp": "000000"})
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "unauthorized"
    code = fresh_code(inspector, secret)
    ok = api.post("/auth/login", json={**creds, "totp": code})
    assert ok.status_code == 200 and ok.get_json()["token"]
    replay = api.post("/auth/login", json={**creds, "totp": code})
    assert replay.status_code == 401
    db.session.refresh(inspector)
    assert inspector.failed_logins == 1  # the replay; the success reset the wrong code
    described = api.get("/openapi.json").get_json()["paths"]["/auth/login"]["post"]
    schema = described["requestBody"]["content"]["application/json"]["schema"]
    assert "totp" in schema["properties"] and "totp_required" in described["description"]


def test_accounts_without_totp_log_in_as_before(api, make):
    officer = make.make_user("officer")
    ok = api.post("/auth/login", json={"username": officer.email, "password": PASSWORD})
    assert ok.status_code == 200
