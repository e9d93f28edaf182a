"""The public front door: home page, health check, icon and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy.exc import OperationalError

from app.extensions import db


def test_home_lists_published_sessions_in_vietnamese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'lang="vi"' in page
    assert "Tiếp công dân" in page


def test_healthz_answers_503_with_retry_after_when_the_database_fails(app, client,
                                                                      monkeypatch):
    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "db": "error"}
    assert int(response.headers["Retry-After"]) > 0


def test_favicon_is_served_and_cached(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/vnd.microsoft.icon"
        assert response.cache_control.max_age == 86400
        assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # an ICO header


def test_language_switch_keeps_the_choice_and_returns_to_a_page_of_this_site(client):
    response = client.post("/lang/en", data={"next": "/schedules"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/schedules")
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_foreign_targets(client):
    response = client.post("/lang/xx", data={"next": "https://evil.example/steal"})
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://localhost/")
    assert 'lang="vi"' in client.get("/").get_data(as_text=True)
    for target in ("//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        location = client.get("/lang/vi", query_string={"next": target}).headers["Location"]
        assert urlsplit(location).netloc in ("", "localhost")
        assert urlsplit(location).scheme in ("", "http")
