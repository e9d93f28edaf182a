"""Web pages of accounts (app/auth/views.py): log in, register, log out, profile, language."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.factories import PASSWORD, log_in

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


def text(response) -> str:
    return response.get_data(as_text=True)


def test_login_with_the_right_password(client, make):
    user = make.make_user(full_name="Nguyễn Văn An")
    response = log_in(client, user.email, PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Nguyễn Văn An" in text(client.get("/profile"))


def test_login_by_phone_goes_to_a_local_next_page_only(client, make):
    user = make.make_user(phone="+84912345678")
    response = log_in(client, "0912 345 678", PASSWORD, next="/profile")
    assert response.headers["Location"] == "/profile"
    client.post("/logout")
    response = log_in(client, user.email, PASSWORD, next="//evil.example")
    assert response.headers["Location"] == "/"


def test_a_wrong_password_shows_a_vietnamese_message(client, make):
    user = make.make_user()
    response = log_in(client, user.email, "sai-mat-khau1")
    assert response.status_code == 200 and WRONG in text(response)
    assert client.get("/profile").status_code == 302


def test_an_empty_form_names_the_missing_fields(client):
    page = text(client.post("/login", data={}))
    assert "Vui lòng nhập email hoặc số điện thoại." in page
    assert "Vui lòng nhập mật khẩu." in page


def test_after_ten_failures_this_address_waits_and_the_account_is_not_locked(client, make):
    user = make.make_user()
    for _ in range(10):
        assert WRONG in text(log_in(client, user.email, "sai-mat-khau1"))
    response = log_in(client, user.email, PASSWORD)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is None


def test_too_many_attempts_from_one_address_are_rate_limited(client, make):
    user = make.make_user()
    for n in range(20):
        log_in(client, f"nobody{n}@example.test", "sai-mat-khau1")
    response = log_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau." in text(response)


REGISTRATION = {"full_name": "Lê Thị Hoa", "phone": "0912345678", "email": "hoa@example.test",
                "password": "matkhau123", "consent_data": "y", "consent_recording": "y"}


def test_registration_needs_consent(client):
    data = {k: v for k, v in REGISTRATION.items() if k != "consent_data"}
    response = client.post("/register", data=data)
    assert response.status_code == 200
    assert "Bạn cần đồng ý cho xử lý dữ liệu cá nhân để đăng ký tài khoản." in text(response)
    assert db.session.scalar(select(User.id)) is None


def test_an_invalid_phone_is_explained_in_vietnamese(client):
    response = client.post("/register", data={**REGISTRATION, "phone": "0241234567"})
    assert "Số điện thoại di động không hợp lệ (gồm 10 chữ số, ví dụ 0912345678)." in \
        text(response)
    assert 'aria-invalid="true"' in text(response)


def test_registration_creates_a_citizen_and_signs_in(client):
    response = client.post("/register", data=REGISTRATION)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.phone == "+84912345678"))
    assert user.role_names == ["citizen"] and user.consent_recording_at is not None
    assert "Lê Thị Hoa" in text(client.get("/profile"))


def test_logout_is_post_only(client, make):
    log_in(client, make.make_user().email, PASSWORD)
    assert client.get("/logout").status_code == 405
    response = client.post("/logout", follow_redirects=True)
    assert "Bạn đã đăng xuất." in text(response)
    assert client.get("/profile").status_code == 302


def test_profile_needs_a_login(client):
    response = client.get("/profile")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_profile_edit(client, make):
    user = make.make_user()
    log_in(client, user.email, PASSWORD)
    response = client.post("/profile", data={"full_name": "Phạm Thị Dung",
                                             "address": "Thôn Làng Là, xã Hàm Yên",
                                             "email": user.email, "save-profile": "1"},
                           follow_redirects=True)
    assert "Đã lưu thông tin." in text(response)
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert (saved.full_name, saved.address) == ("Phạm Thị Dung", "Thôn Làng Là, xã Hàm Yên")


def test_password_change_on_the_profile_page(client, make):
    user = make.make_user()
    log_in(client, user.email, PASSWORD)
    wrong = client.post("/profile/password", data={"pw-current": "sai", "pw-new": "moi12345"},
                        follow_redirects=True)
    assert "Mật khẩu hiện tại không đúng." in text(wrong)
    client.post("/profile/password", data={"pw-current": PASSWORD, "pw-new": "moi12345"})
    client.post("/logout")
    assert log_in(client, user.email, "moi12345").status_code == 302


def test_language_switch_sets_the_page_language(client):
    assert '<html lang="vi">' in text(client.get("/"))
    response = client.get("/lang/en")
    assert response.status_code == 302
    assert '<html lang="en">' in text(client.get("/"))
    client.get("/lang/xx")
    assert '<html lang="en">' in text(client.get("/"))


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/lang/vi?next=//evil.example/x")
    assert response.headers["Location"] == "/"
    assert client.get("/lang/vi?next=/profile").headers["Location"] == "/profile"
