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


def test_text_size_link_sets_a_cookie_and_returns_to_the_page(client):
    response = client.get("/co-chu/larger", query_string={"next": "/lich-tiep"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/lich-tiep")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("text_size=larger") and "Max-Age" in cookie
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi" class="text-larger">' in page
    assert 'data-text-size="larger"\n           aria-current="true"' in page


def test_text_size_ignores_unknown_sizes_and_foreign_targets(client):
    response = client.get("/co-chu/huge", query_string={"next": "//evil.example/"})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).netloc in ("", "localhost")
    assert "Set-Cookie" not in response.headers
    client.set_cookie("text_size", "<script>")
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_a_cached_public_page_keeps_each_device_text_size(app, client, place, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE_SECONDS", 60)
    assert 'class="text-large"' not in client.get("/lich-tiep").get_data(as_text=True)
    client.set_cookie("text_size", "large")
    assert 'class="text-large"' in client.get("/lich-tiep").get_data(as_text=True)


def test_every_page_has_a_description_and_links_the_guide(client):
    for url in ("/", "/lich-tiep", "/track", "/huong-dan", "/login"):
        page = client.get(url).get_data(as_text=True)
        assert '<meta name="description" content="' in page, url
        assert 'href="/huong-dan"' in page, url


def test_the_hotline_is_in_the_footer_when_set(app, client, monkeypatch):
    assert "tel:" not in client.get("/").get_data(as_text=True)
    monkeypatch.setitem(app.config, "HOTLINE", "1900 1234")
    page = client.get("/").get_data(as_text=True)
    assert '<a href="tel:19001234">1900 1234</a>' in page


def test_the_citizens_guide_is_a_page_with_its_screenshots(client):
    page = client.get("/huong-dan").get_data(as_text=True)
    assert "<h1" in page and "Hướng dẫn cho công dân" in page
    assert "<table" in page and "Đặt lịch gặp Chủ tịch" in page
    assert 'loading="lazy" src="/huong-dan/anh/schedule-phone.png"' in page
    with client.get("/huong-dan/anh/schedule-phone.png") as image:
        assert image.status_code == 200 and image.mimetype == "image/png"
    assert client.get("/huong-dan/anh/missing.png").status_code == 404
    assert client.get("/huong-dan/anh/..%2F..%2Fconfig.py").status_code == 404
    assert client.get("/huong-dan/anh/README.md").status_code == 404
