"""Every redirect to a user-given place stays on this site (CONTRACT §7, app/web.py
``safe_next``): the language switch, the login (with and without its TOTP step),
registration and the administrator's pages; anything else goes to the default."""

from __future__ import annotations

from urllib.parse import urlsplit

import pyotp
import pytest

from app.auth import totp
from app.extensions import db
from tests.factories import PASSWORD

HOSTILE = [
    "//evil.example",
    "///evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\r\n/x",
    "https://evil.example",
    "http:/\\evil.example",
    "HTTPS:evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,x",
    "／／evil.example",  # full-width solidus
    "/\u200b/evil.example",  # zero-width space
    "/\u2028/evil.example",  # line separator
    "\u00a0//evil.example",  # no-break space
    "evil.example",
    "",
]


def lands_home(response, home: str = "/") -> bool:
    return response.status_code in (302, 303) and response.headers["Location"] == home


@pytest.mark.parametrize("target", HOSTILE)
def test_language_switch_never_leaves_the_site(client, target):
    assert lands_home(client.get("/lang/vi", query_string={"next": target}))
    assert lands_home(client.post("/lang/en", data={"next": target}))
    if target.isprintable():
        assert lands_home(client.get("/lang/vi", headers={
            "Referer": f"https://evil.example{target}"}))


@pytest.mark.parametrize("raw", ["/%09/evil.example", "/%0D%0A/x", "/%5C/evil.example",
                                 "%2F%2Fevil.example", "/%EF%BC%8F/evil.example"])
def test_language_switch_with_the_encodings_seen_in_the_wild(client, raw):
    assert lands_home(client.get(f"/lang/vi?next={raw}"))


def test_a_header_cannot_be_slipped_into_the_redirect(client):
    response = client.get("/lang/vi", query_string={"next": "/\r\nSet-Cookie: a=b"})
    assert response.status_code == 302
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("a=")]
    assert "\n" not in response.headers["Location"]


def test_a_backslash_is_dropped_and_what_is_left_is_a_path_of_this_site(client):
    response = client.get("/lang/vi", query_string={"next": "/\\evil.example"})
    assert response.headers["Location"] == "/evil.example"
    assert urlsplit(response.headers["Location"]).netloc == ""


def test_language_switch_keeps_paths_and_pages_of_this_site(client):
    assert client.get("/lang/vi?next=/sessions%3Funit%3D08").headers["Location"] == \
        "/sessions?unit=08"
    back = client.get("/lang/en", headers={"Referer": "http://localhost/hosts?unit=08"})
    assert back.headers["Location"] == "/hosts?unit=08"
    away = client.get("/lang/en", headers={"Referer": "https://evil.example/hosts"})
    assert away.headers["Location"] == "/"


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_sends_away(client, make, target):
    user = make.make_user("citizen")
    db.session.commit()
    response = client.post("/login", query_string={"next": target},
                           data={"username": user.email, "password": PASSWORD})
    assert lands_home(response)


def test_login_keeps_a_path_of_this_site(client, make):
    user = make.make_user("citizen")
    db.session.commit()
    response = client.post("/login?next=/profile", data={"username": user.email,
                                                         "password": PASSWORD})
    assert response.headers["Location"] == "/profile"


@pytest.mark.parametrize("target", ["//evil.example", "/\t/evil.example", "/\r\n/x",
                                    "https://evil.example"])
def test_login_with_second_step_never_sends_away(client, make, target):
    host = make.make_user("host")
    secret = totp.new_secret()
    assert totp.enable(host, secret, pyotp.TOTP(secret).now()) is not None
    host.totp_last_step = None
    db.session.commit()
    first = client.post("/login", query_string={"next": target},
                        data={"username": host.email, "password": PASSWORD})
    assert first.headers["Location"].endswith("/login/totp")
    done = client.post("/login/totp", data={"code": pyotp.TOTP(secret).now()})
    assert lands_home(done, "/reports/desk")  # the host's start page


@pytest.mark.parametrize("target", ["//evil.example", "/\\/evil.example", "/\r\n/x",
                                    "javascript:alert(1)", "／／evil.example"])
def test_registration_never_sends_away(client, target):
    response = client.post("/register", query_string={"next": target}, data={
        "full_name": "Nguyễn Văn Bình", "phone": "0912345678", "password": "matkhau-moi-1",
        "password2": "matkhau-moi-1", "consent_data": "y"})
    assert lands_home(response)


@pytest.mark.parametrize("target", ["//evil.example", "/\t/evil.example", "/\r\n/x",
                                    "https://evil.example"])
def test_administrator_pages_never_send_away(client, make, target):
    from flask import g

    admin = make.make_user("admin")
    unit = make.make_unit()
    person = make.make_user("secretary", unit=unit)
    role_id = person.roles[0].id
    make.sign_in(client, admin)
    g.pop("_login_user", None)
    response = client.post(f"/admin/roles/{role_id}/revoke", data={"next": target})
    assert lands_home(response, f"/admin/people/{person.id}")
