"""What docs/security.md §4-5 says of accounts and headers, checked on the real app."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import ApiToken
from app.extensions import db
from app.timeutil import utcnow
from tests.factories import PASSWORD, log_in


def test_cookies_are_httponly_lax_and_secure_in_production(app, client, make):
    from app.config import load_config

    user = make.make_user("citizen")
    db.session.commit()
    response = log_in(client, user.email)
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    production = load_config({"APP_ENV": "production", "SECRET_KEY": "x" * 32,
                              "AUDIT_KEY": "y" * 32})
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["REMEMBER_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_login_starts_a_fresh_session(app, client, make):
    user = make.make_user("citizen")
    db.session.commit()
    with client.session_transaction() as before:
        before["planted"] = "by-someone-else"
        before["lang"] = "en"
    log_in(client, user.email)
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["lang"] == "en"
        assert after["_user_id"].startswith(f"{user.id}.")  # the person and the sign-in


def test_failures_are_audited_and_never_lock_the_account(app, make):
    from app.audit.models import AuditEvent
    from app.auth.services import authenticate

    user = make.make_user("citizen")
    db.session.commit()
    for _ in range(30):
        assert authenticate(user.email, "sai-mat-khau-1") is None
    db.session.commit()
    assert user.locked_until is None and user.failed_logins == 30
    actions = db.session.scalars(select(AuditEvent.action)
                                 .where(AuditEvent.target == f"user:{user.id}")).all()
    assert actions.count("login_failed") == 30 and "login_locked" not in actions
    assert authenticate(user.email, PASSWORD) is user


def test_api_tokens_expire_and_are_revoked(app, api, make):
    user = make.make_user("citizen")
    db.session.commit()
    assert api.post("/auth/logout", user=user).status_code in (200, 204)
    assert api.post("/me/calendar-token", user=user).status_code == 401  # revoked
    api._tokens.clear()
    token = make.token_for(user)
    row = db.session.scalar(select(ApiToken).order_by(ApiToken.id.desc()))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = api.client.post("/api/v1/me/calendar-token",
                               headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_security_headers(app, client):
    page = client.get("/")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["X-Frame-Options"] == "DENY"
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "Strict-Transport-Security" not in page.headers  # production only
