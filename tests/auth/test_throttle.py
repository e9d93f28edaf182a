"""Login throttling by (account, client address) (CONTRACT §3 and §7,
app/auth/throttle.py): failures from one address never keep the owner out elsewhere."""

from __future__ import annotations

import os

import pyotp
import pytest

from app.auth import totp
from app.extensions import db
from tests.factories import PASSWORD

WRONG = "sai-mat-khau-1"
HERE, THERE = "203.0.113.5", "198.51.100.7"


def api_login(client, username, password, address, **extra):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password,
                                                   **extra},
                       environ_base={"REMOTE_ADDR": address})


def web_login(client, username, password, address, **extra):
    return client.post("/login", data={"username": username, "password": password, **extra},
                       environ_base={"REMOTE_ADDR": address})


def with_totp(user) -> str:
    secret = totp.new_secret()
    assert totp.enable(user, secret, pyotp.TOTP(secret).now()) is not None
    user.totp_last_step = None
    db.session.commit()
    return secret


def fresh_code(user, secret) -> str:
    db.session.refresh(user)
    user.totp_last_step = None  # the current step counts as unused again
    db.session.commit()
    return pyotp.TOTP(secret).now()


def other_process(settings: dict):
    """Another application on the same database (as another process would be)."""
    from app import create_app

    application = create_app({"APP_ENV": "testing", **settings})
    created.append(application)
    return application.test_client()


created: list = []


@pytest.fixture(autouse=True)
def _close_other_processes():
    yield
    while created:
        with created.pop().app_context():
            db.engine.dispose()


def test_api_ten_failures_from_one_address_close_that_address_only(client, make):
    chairman = make.make_user("host")
    db.session.commit()
    for _ in range(10):
        assert api_login(client, chairman.email, WRONG, HERE).status_code == 401
    blocked = api_login(client, chairman.email, PASSWORD, HERE)
    assert blocked.status_code == 429 and blocked.get_json()["error"] == "rate_limited"
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    # The same account under its phone number is the same account.
    assert api_login(client, chairman.phone, PASSWORD, HERE).status_code == 429
    # The owner, elsewhere, signs in at once.
    assert api_login(client, chairman.email, PASSWORD, THERE).status_code == 200


def test_api_nine_failures_do_not_throttle(client, make):
    user = make.make_user("citizen")
    db.session.commit()
    for _ in range(9):
        api_login(client, user.email, WRONG, HERE)
    assert api_login(client, user.email, PASSWORD, HERE).status_code == 200


def test_web_ten_failures_from_one_address_close_that_address_only(client, make):
    chairman = make.make_user("host")
    db.session.commit()
    for _ in range(10):
        assert web_login(client, chairman.email, WRONG, HERE).status_code == 200
    blocked = web_login(client, chairman.email, PASSWORD, HERE)
    assert blocked.status_code == 429 and 0 < int(blocked.headers["Retry-After"]) <= 900
    assert "quá nhiều lần" in blocked.get_data(as_text=True)
    with client.session_transaction() as cookie:
        assert "_user_id" not in cookie
    signed_in = web_login(client, chairman.email, PASSWORD, THERE)
    assert signed_in.status_code == 302
    assert client.get("/profile", environ_base={"REMOTE_ADDR": THERE}).status_code == 200


def test_guessing_from_many_addresses_is_slowed_but_never_locks_the_owner_out(client, make):
    chairman = make.make_user("host")
    db.session.commit()
    guessers = [f"192.0.2.{n}" for n in range(1, 11)]
    for address in guessers:  # 30 failures across ten addresses
        for _ in range(3):
            assert api_login(client, chairman.email, WRONG, address).status_code == 401
    # Each guessing address is now closed after 3 failures instead of 10 ...
    assert api_login(client, chairman.email, WRONG, guessers[0]).status_code == 429
    # ... a new address still gets its tries, and the owner signs in from anywhere.
    assert api_login(client, chairman.email, WRONG, "192.0.2.200").status_code == 401
    assert api_login(client, chairman.email, PASSWORD, THERE).status_code == 200
    assert web_login(client, chairman.email, PASSWORD, "192.0.2.201").status_code == 302


def test_throttled_staff_with_totp_sign_in_with_password_and_code(client, make):
    host = make.make_user("host")
    secret = with_totp(host)
    for _ in range(10):
        api_login(client, host.email, WRONG, HERE)
    assert api_login(client, host.email, PASSWORD, HERE).status_code == 429
    # A throttled attempt teaches nothing: a wrong password or code is still a 429.
    assert api_login(client, host.email, WRONG, HERE,
                     totp=fresh_code(host, secret)).status_code == 429
    assert api_login(client, host.email, PASSWORD, HERE, totp="000000").status_code == 429
    done = api_login(client, host.email, PASSWORD, HERE, totp=fresh_code(host, secret))
    assert done.status_code == 200 and done.get_json()["token"]

    page = web_login(client, host.email, PASSWORD, HERE)
    assert page.status_code == 429 and 'name="code"' in page.get_data(as_text=True)
    signed_in = web_login(client, host.email, PASSWORD, HERE, code=fresh_code(host, secret))
    assert signed_in.status_code == 302
    assert client.get("/profile", environ_base={"REMOTE_ADDR": HERE}).status_code == 200


def test_a_wrong_second_step_code_counts_for_the_address(client, make):
    host = make.make_user("host")
    with_totp(host)
    for _ in range(9):
        web_login(client, host.email, WRONG, HERE)
    assert web_login(client, host.email, PASSWORD, HERE).status_code == 302  # to the code
    client.post("/login/totp", data={"code": "000000"}, environ_base={"REMOTE_ADDR": HERE})
    assert web_login(client, host.email, PASSWORD, HERE).status_code == 429


def test_no_account_is_locked_any_more(app, make):
    from app.auth.services import authenticate

    user = make.make_user("citizen")
    db.session.commit()
    for _ in range(25):
        assert authenticate(user.email, WRONG) is None
    assert authenticate(user.email, PASSWORD) is user
    assert user.locked_until is None


def test_the_address_is_the_peer_unless_proxies_are_trusted(database_url, tmp_path, make,
                                                            app):
    """Without PROXY_COUNT a client's own X-Forwarded-For is ignored; with one trusted
    proxy, the entry that proxy appended is the address."""
    email = make.make_user("citizen").email
    db.session.commit()
    direct = app.test_client()
    for n in range(10):
        direct.post("/api/v1/auth/login", json={"username": email, "password": WRONG},
                    headers={"X-Forwarded-For": f"10.9.9.{n}"},
                    environ_base={"REMOTE_ADDR": HERE})
    assert direct.post("/api/v1/auth/login", json={"username": email, "password": PASSWORD},
                       headers={"X-Forwarded-For": "10.9.9.99"},
                       environ_base={"REMOTE_ADDR": HERE}).status_code == 429

    proxied = other_process({"SQLALCHEMY_DATABASE_URI": database_url,
                             "UPLOAD_DIR": str(tmp_path), "PROXY_COUNT": 1})
    db.session.commit()  # no transaction of this test holds SQLite's write lock

    def through_proxy(forwarded, password):
        return proxied.post("/api/v1/auth/login",
                            json={"username": email, "password": password},
                            headers={"X-Forwarded-For": forwarded},
                            environ_base={"REMOTE_ADDR": "127.0.0.1"})

    for n in range(10):  # the client makes up the first entry, nginx appends its address
        assert through_proxy(f"10.8.8.{n}, {HERE}", WRONG).status_code == 401
    assert through_proxy(f"10.8.8.99, {HERE}", PASSWORD).status_code == 429
    assert through_proxy(f"{HERE}, {THERE}", PASSWORD).status_code == 200


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set")
def test_counters_are_shared_by_every_process(database_url, tmp_path, make, app):
    """Failures counted by one process close the address on another: the counters live
    in the limiter's shared storage (Redis), not in a process."""
    import redis

    url = os.environ["TEST_REDIS_URL"]
    redis.Redis.from_url(url).flushdb()
    email = make.make_user("citizen").email
    db.session.commit()
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": str(tmp_path),
                "RATELIMIT_STORAGE_URI": url}
    first = other_process(settings)
    for _ in range(10):
        assert api_login(first, email, WRONG, HERE).status_code == 401
    second = other_process(settings)  # its own connection to the storage
    assert api_login(second, email, PASSWORD, HERE).status_code == 429
    assert api_login(second, email, PASSWORD, THERE).status_code == 200
    redis.Redis.from_url(url).flushdb()
