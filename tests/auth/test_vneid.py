"""Sign-in with VNeID (app/auth/vneid.py, the views in app/auth/views.py) against a real
OpenID provider (tests/oidc/provider.mjs), its pages walked by ``ProviderBrowser``."""

from __future__ import annotations

import socket
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import User, WebLogin
from app.extensions import db
from tests.factories import PASSWORD, log_in

from .oidc_peer import CLIENT_ID, CLIENT_SECRET, ProviderBrowser, running_provider

CALLBACK = "http://localhost/auth/oidc/callback"


@pytest.fixture(scope="module")
def issuer():
    with running_provider() as url:
        yield url


@pytest.fixture
def vneid(app, issuer):
    app.config.update(OIDC_ISSUER=issuer, OIDC_CLIENT_ID=CLIENT_ID,
                      OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_SCOPES="openid vneid")
    return app


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture(autouse=True)
def _close_browsers(monkeypatch):
    opened = []
    monkeypatch.setattr(ProviderBrowser, "__init__", _tracked(ProviderBrowser.__init__, opened))
    yield
    for browser in opened:
        browser.http.close()


def _tracked(init, opened):
    def tracked(self, *args, **kwargs):
        init(self, *args, **kwargs)
        opened.append(self)
    return tracked


def start(client) -> str:
    response = client.get("/auth/oidc/login")
    assert response.status_code == 302
    return response.headers["Location"]


def sign_in_with_vneid(client, browser=None, *, login="citizen"):
    """The whole round trip; returns the app's answer to the callback."""
    browser = browser or ProviderBrowser(CALLBACK)
    return client.get(browser.authorize(start(client), login=login))


def signed_in_as(client) -> str | None:
    response = client.get("/profile")
    return text(response) if response.status_code == 200 else None


def users() -> int:
    return db.session.scalar(select(func.count(User.id)))


def failures() -> list[str]:
    return [e.detail for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "vneid_failed"))]


def test_the_link_shows_only_when_an_issuer_is_set(app, client, issuer):
    assert "Đăng nhập bằng VNeID" not in text(client.get("/login"))
    assert client.get("/auth/oidc/login").status_code == 404
    assert client.get("/auth/oidc/callback?code=x&state=y").status_code == 404
    app.config.update(OIDC_ISSUER=issuer, OIDC_CLIENT_ID=CLIENT_ID)
    for page in ("/login", "/register"):
        assert "/auth/oidc/login" in text(client.get(page))


def test_the_redirect_asks_for_code_with_pkce_state_nonce_and_acr(vneid, client):
    vneid.config["OIDC_ACR_VALUES"] = "http://eidas.europa.eu/LoA/high"
    query = parse_qs(urlsplit(start(client)).query)
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["redirect_uri"] == [CALLBACK] and query["scope"] == ["openid vneid"]
    assert query["state"][0] and query["nonce"][0] and query["state"] != query["nonce"]
    assert query["acr_values"] == ["http://eidas.europa.eu/LoA/high"]
    with client.session_transaction() as session:
        assert set(session["oidc_pending"]) == {"state", "nonce", "verifier", "at", "next"}


def test_first_sign_in_creates_a_verified_citizen_and_the_next_enters_it(vneid, client):
    response = sign_in_with_vneid(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Nguyễn Văn An" in signed_in_as(client)
    user = db.session.scalar(select(User))
    assert (user.full_name, user.cccd, user.phone) == ("Nguyễn Văn An", "001099012345",
                                                       "+84912345678")
    assert user.role_names == ["citizen"] and user.password_hash is None
    assert user.identity_verified_via == "vneid" and user.identity_verified_at is not None
    assert (user.oidc_issuer, user.oidc_subject) == (vneid.config["OIDC_ISSUER"], "citizen")
    with client.session_transaction() as session:
        assert "oidc_pending" not in session  # nothing of the login is kept
        assert not any(key.startswith("oidc") for key in session)
        assert not any("eyJ" in str(value) for value in session.values())  # no JWT
    client.post("/logout")
    assert signed_in_as(client) is None
    response = sign_in_with_vneid(client)
    assert response.status_code == 302 and "Nguyễn Văn An" in signed_in_as(client)
    assert users() == 1
    assert db.session.scalar(select(func.count(WebLogin.id))) == 2


def test_the_sign_in_is_a_web_sign_in_that_logging_out_ends(vneid, client):
    sign_in_with_vneid(client)
    cookie = client.get_cookie("session").value
    client.post("/logout")
    client.set_cookie("session", cookie)  # a copy of the signed-in cookie
    assert signed_in_as(client) is None


def test_a_replayed_callback_signs_nobody_in(vneid, app, client):
    browser = ProviderBrowser(CALLBACK)
    callback = browser.authorize(start(client))
    before = client.get_cookie("session").value
    assert client.get(callback).status_code == 302
    client.post("/logout")
    # Again in the same browser: the state was used.
    response = client.get(callback)
    assert response.status_code == 400 and signed_in_as(client) is None
    # With the cookie as it was before the first callback: the provider refuses the used code.
    client.set_cookie("session", before)
    response = client.get(callback)
    assert response.status_code == 400 and signed_in_as(client) is None
    # In another browser.
    other = app.test_client()
    assert other.get(callback).status_code == 400 and signed_in_as(other) is None
    reasons = failures()
    assert len(reasons) == 3 and sum('"oidc_state"' in r for r in reasons) == 2
    assert any('"oidc_invalid"' in r for r in reasons)


def test_a_forged_callback_signs_nobody_in(vneid, client):
    start(client)
    response = client.get("/auth/oidc/callback?code=forged&state=forged")
    assert response.status_code == 400 and signed_in_as(client) is None
    assert "không hợp lệ" in text(response) and "/auth/oidc/login" in text(response)
    assert users() == 0 and '"oidc_state"' in failures()[0]


def test_refused_consent_is_explained(vneid, client):
    browser = ProviderBrowser(CALLBACK)
    callback = browser.authorize(start(client), consent=False)
    assert "error=access_denied" in callback
    response = client.get(callback)
    assert response.status_code == 403 and signed_in_as(client) is None
    assert "không đồng ý chia sẻ thông tin" in text(response)
    assert '"oidc_denied"' in failures()[0]


def test_an_expired_login_is_refused(vneid, client):
    browser = ProviderBrowser(CALLBACK)
    callback = browser.authorize(start(client))
    with client.session_transaction() as session:
        session["oidc_pending"] = {**session["oidc_pending"], "at": 1}
    response = client.get(callback)
    assert response.status_code == 400 and "đã hết hạn" in text(response)
    assert signed_in_as(client) is None and users() == 0


def test_a_provider_that_is_down_is_explained(vneid, client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    vneid.config["OIDC_ISSUER"] = f"http://127.0.0.1:{port}"
    response = client.get("/auth/oidc/login")
    assert response.status_code == 503 and "Không kết nối được" in text(response)
    assert '"oidc_unavailable"' in failures()[0]


def test_claims_without_a_valid_id_number_create_nobody(vneid, client):
    response = sign_in_with_vneid(client, login="nameless")
    assert response.status_code == 422 and "số định danh" in text(response)
    assert users() == 0 and signed_in_as(client) is None


def test_a_password_account_is_linked_only_after_its_password(vneid, client, make):
    owner = make.make_user(full_name="Nguyễn Văn An", cccd="001099012345")
    db.session.commit()
    response = sign_in_with_vneid(client)
    assert response.headers["Location"] == "/login" and signed_in_as(client) is None
    assert "đăng nhập bằng mật khẩu một lần" in text(client.get("/login"))
    assert users() == 1 and owner.oidc_subject is None
    assert log_in(client, owner.email, PASSWORD).status_code == 302
    db.session.refresh(owner)
    assert owner.identity_verified_via == "vneid" and owner.oidc_subject == "citizen"
    client.post("/logout")
    assert sign_in_with_vneid(client).headers["Location"] == "/"
    assert owner.email in signed_in_as(client) and users() == 1


def test_another_persons_password_login_links_nothing(vneid, client, make):
    make.make_user(cccd="001099012345")
    other = make.make_user(cccd="079085001234")
    db.session.commit()
    sign_in_with_vneid(client)
    assert log_in(client, other.email, PASSWORD).status_code == 302
    db.session.refresh(other)
    assert other.oidc_subject is None and other.identity_verified_via is None


def test_staff_are_never_entered_nor_created(vneid, client, make):
    make.make_user("secretary", cccd="079085001234")
    db.session.commit()
    response = sign_in_with_vneid(client, login="officer")
    assert response.status_code == 403 and "cán bộ" in text(response)
    assert signed_in_as(client) is None and users() == 1
    assert '"oidc_staff"' in failures()[0]
