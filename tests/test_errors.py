"""Errors: JSON under /api/, friendly Vietnamese pages on the web; health check."""

import pytest


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}


def test_api_404_is_json(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    body = response.get_json()
    assert body["error"] == "not_found"
    assert body["message"]


def test_api_malformed_json_is_bad_request(client):
    response = client.post("/api/v1/auth/login", data="{not json",
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_api_wrong_method_is_json(client):
    response = client.delete("/api/v1/units")
    assert response.status_code == 405
    assert response.is_json


def test_web_404_is_a_vietnamese_page(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_favicon(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.data[:4] == b"\x00\x00\x01\x00"


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_an_id_too_large_for_the_database_is_404(client):
    response = client.get("/api/v1/bookings/99999999999999999999")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


DEEP = "[" * 50_000 + "]" * 50_000


@pytest.mark.parametrize("path", ["/auth/login", "/auth/register", "/bookings"])
@pytest.mark.parametrize("body", [DEEP, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_api_deeply_nested_json_is_bad_request(api, make, path, body):
    citizen = make.make_user("citizen")  # bookings need a signed-in citizen
    response = api.post(path, user=citizen, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_api_json_nested_past_the_limit_is_bad_request(client):
    body = {"username": "a", "password": "b", "extra": {}}
    inner = body["extra"]
    for _level in range(40):
        inner["x"] = {}
        inner = inner["x"]
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


# --- the database or the disk unavailable: a clean 503/507, never a 500 ----------------

def _app_without_database():
    """An application whose PostgreSQL refuses every connection (nothing listens there)."""
    from app import create_app
    from tests.live.conftest import free_port

    return create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI":
                       f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none"})


def test_api_without_database_is_a_json_503_with_retry_after():
    response = _app_without_database().test_client().get("/api/v1/sessions?unit=08")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    body = response.get_json()
    assert body["error"] == "unavailable"
    assert "thử lại" in body["message"]


def test_web_page_without_database_is_a_503_page_with_retry_after():
    client = _app_without_database().test_client()
    with client.session_transaction() as cookie:  # a signed-in visitor: no user to load
        cookie["_user_id"] = "1"
    response = client.get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    page = response.get_data(as_text=True)
    assert "Traceback" not in page
    assert "tạm gián đoạn" in page


def test_healthz_without_database_says_when_to_retry():
    response = _app_without_database().test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "db": "error"}
    assert response.headers["Retry-After"].isdigit()


def test_rate_limited_route_without_its_redis_store_still_answers(monkeypatch):
    """Login keeps working when the shared rate-limit store (Redis) is down."""
    from app import create_app
    from tests.live.conftest import free_port

    app = create_app({"APP_ENV": "testing", "RATELIMIT_ENABLED": True,
                      "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0"})
    with app.app_context():
        from app.extensions import db

        db.create_all()
    response = app.test_client().post("/api/v1/auth/login",
                                      json={"username": "x@example.vn", "password": "sai"})
    assert response.status_code == 401
