"""POST /api/v1/auth/login, /logout, /register."""

from app.auth.models import User
from app.extensions import db
from tests.factories import PASSWORD


def test_login_returns_token_and_user(api, make):
    user = make.make_user("secretary", unit=make.make_unit())
    response = api.post("/auth/login", json={"username": user.email, "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token"]
    assert body["user"] == {"id": user.id, "full_name": user.full_name, "roles": ["secretary"]}


def test_login_by_phone_in_local_form(api, make):
    user = make.make_user(phone="+84900000009")
    response = api.post("/auth/login", json={"username": "0900000009", "password": PASSWORD})
    assert response.status_code == 200
    assert response.get_json()["user"]["id"] == user.id


def test_wrong_password_is_401_with_vietnamese_message(api, make):
    user = make.make_user()
    response = api.post("/auth/login", json={"username": user.email, "password": "sai"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert "mật khẩu" in response.get_json()["message"]


def test_token_survives_a_second_login_and_logout_revokes_it(api, client, make):
    user = make.make_user()
    first = api.post("/auth/login", json={"username": user.email, "password": PASSWORD})
    token = first.get_json()["token"]
    api.post("/auth/login", json={"username": user.email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/me/calendar-token", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    assert client.post("/api/v1/me/calendar-token", headers=headers).status_code == 401


def test_rate_limited_after_ten_failures(api, make):
    user = make.make_user()
    for _ in range(10):
        api.post("/auth/login", json={"username": user.email, "password": "sai"})
    response = api.post("/auth/login", json={"username": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert response.get_json()["error"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def test_register_creates_a_citizen(api):
    response = api.post("/auth/register", json={
        "full_name": "Nguyễn Thị Hoa", "phone": "0912345678", "password": "matkhau123",
        "cccd": "008190004321", "consents": {"data_processing": True}})
    assert response.status_code == 201
    assert response.get_json()["roles"] == ["citizen"]
    user = db.session.scalar(db.select(User).where(User.phone == "+84912345678"))
    assert user is not None and user.consent_data_at is not None


def test_register_without_consent_is_refused_and_creates_nothing(api):
    response = api.post("/auth/register", json={
        "full_name": "Nguyễn Thị Hoa", "phone": "0912345678", "password": "matkhau123",
        "consents": {"data_processing": False}})
    assert response.status_code == 422
    assert response.get_json()["error"] == "consent_required"
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_register_reports_every_invalid_field(api):
    response = api.post("/auth/register", json={
        "full_name": "", "phone": "123", "password": "short", "cccd": "12",
        "consents": {"data_processing": True}})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) >= {"full_name", "phone", "password", "cccd"}


def test_register_twice_with_one_phone_is_refused(api):
    body = {"full_name": "Lê Văn Tám", "phone": "0987654321", "password": "matkhau123",
            "consents": {"data_processing": True}}
    assert api.post("/auth/register", json=body).status_code == 201
    response = api.post("/auth/register", json=body)
    assert response.status_code == 422
    assert "phone" in response.get_json()["errors"]
