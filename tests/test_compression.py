"""Text answers are compressed (gzip or brotli, as accepted); feeds and streams are not."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest

ROOT = Path(__file__).resolve().parent.parent

GZIP = {"Accept-Encoding": "gzip"}


@pytest.mark.parametrize("path, mimetype", [
    ("/", "text/html"),
    ("/static/css/app.css", "text/css"),
    ("/static/vendor/bootstrap/bootstrap.bundle.min.js", "text/javascript"),
])
def test_pages_and_static_text_are_gzipped(client, path, mimetype):
    with client.get(path, headers=GZIP) as response:
        check_gzipped(response, path, mimetype)


def check_gzipped(response, path, mimetype):
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    body = gzip.decompress(response.get_data())
    assert len(response.get_data()) < len(body)
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    if path.startswith("/static/"):
        assert body == (ROOT / path.lstrip("/")).read_bytes()
    else:
        assert b"</html>" in body


def test_svg_is_gzipped_past_the_minimum_size(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "COMPRESS_MIN_SIZE", 200)  # the icon is ~300 bytes
    with client.get("/static/img/icon.svg", headers=GZIP) as response:
        check_gzipped(response, "/static/img/icon.svg", "image/svg+xml")


def test_brotli_is_preferred_when_the_browser_accepts_it(client):
    with client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip, br"}) as response:
        assert response.headers["Content-Encoding"] == "br"
        assert brotli.decompress(response.get_data()) == (ROOT / "static/css/app.css").read_bytes()


def test_a_browser_without_compression_gets_the_file_as_it_is(client):
    with client.get("/static/css/app.css") as response:
        assert "Content-Encoding" not in response.headers
        assert response.get_data() == (ROOT / "static/css/app.css").read_bytes()


def test_json_is_gzipped(client):
    response = client.get("/api/v1/openapi.json", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()).startswith(b"{")


def test_a_compressed_static_file_still_answers_304(client):
    with client.get("/static/css/app.css", headers=GZIP) as first:
        etag = first.headers["ETag"]
    assert etag.endswith(':gzip"')
    with client.get("/static/css/app.css", headers={**GZIP, "If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert not again.get_data()


def test_calendar_feed_is_not_compressed_and_keeps_its_etag(client, place):
    first = client.get("/calendar/units/08.ics", headers=GZIP)
    assert first.status_code == 200
    assert "Content-Encoding" not in first.headers
    assert first.get_data().startswith(b"BEGIN:VCALENDAR")
    again = client.get("/calendar/units/08.ics",
                       headers={**GZIP, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_small_answers_are_left_alone(client):
    response = client.get("/healthz", headers=GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
