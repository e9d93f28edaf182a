"""A citizen of 65 on a cheap phone gets through on the first try: the booking starts at
the home province, communes are found without accents and without JavaScript, the matter
type is explained (or left to the secretary), a chosen file is never lost, every dead end
says why and what next, and the done page tells what happens next."""

from __future__ import annotations

import io
import re

import pytest

from app.auth.models import User
from app.bookings.models import Attachment, Booking
from app.extensions import db
from app.timeutil import iso_local
from sessions.errors import CoreError
from tests.factories import PASSWORD, log_in


def text(response) -> str:
    return response.get_data(as_text=True)


def login(client, user):
    db.session.commit()
    assert log_in(client, user.email).status_code == 302


def post(client, url, data=None, **kwargs):
    db.session.commit()
    response = client.post(url, data=data or {}, **kwargs)
    db.session.expire_all()
    return response


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


@pytest.fixture
def province(make, scene):
    """The scene's unit as a province with communes given in no particular order."""
    scene.unit.name, scene.unit.division_type = "Tuyên Quang", "tỉnh"
    for name, kind in (("Phường Minh Xuân", "phường"), ("Xã Đội Bình", "xã"),
                       ("Xã An Tường", "xã"), ("Phường Hà Giang 1", "phường"),
                       ("Xã Minh Quang", "xã")):
        make.make_unit(level="commune", parent=scene.unit, name=name, division_type=kind)
    db.session.commit()
    return scene.unit


def answer(client, scene, matter_type="khieu_nai"):
    """Walk the flow with ``matter_type`` up to the files step."""
    steps = [(f"/book/unit?province={scene.unit.code}", {"unit_code": scene.unit.code}),
             ("/book/session", {"choice": str(scene.reception.id)}),
             ("/book/slot", {"slot_start": iso_local(scene.reception.starts_at)}),
             ("/book/type", {"matter_type": matter_type}),
             ("/book/field", {"matter_field": "dat_dai"}),
             ("/book/summary", {"summary": "Tranh chấp ranh giới đất với nhà bên cạnh."}),
             ("/book/group", {"group_size": "1"})]
    for url, data in steps:
        response = post(client, url, data)
        assert response.status_code == 302, (url, text(response)[:1500])


def finish(client):
    assert post(client, "/book/files", {"continue": "1"}).location == "/book/consents"
    assert post(client, "/book/consents", {"recording": "y"}).location == "/book/check"
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"',
                      text(client.get("/book/check"))).group(1)
    return post(client, "/book/check", {"form_token": token})


# ---- start where the citizen is ---------------------------------------------------------

def test_the_booking_starts_at_the_home_province(app, client, province):
    app.config["HOME_PROVINCE"] = province.code
    login(client, User.query.filter(User.full_name == "Nguyễn Văn An").one())
    start = text(client.get("/book"))
    assert f'href="/book/unit?province={province.code}"' in start
    assert "UBND tỉnh Tuyên Quang" in start and "Vụ việc ở tỉnh, thành phố khác?" in start
    assert 'id="province"' in text(client.get("/book?other=1"))
    # The unit step needs no province in the address: the home one is used.
    page = text(client.get("/book/unit"))
    assert "Cấp tỉnh: UBND tỉnh Tuyên Quang" in page


def test_without_a_home_province_the_citizen_chooses_one(app, client, province):
    app.config["HOME_PROVINCE"] = ""
    assert 'id="province"' in text(client.get("/book"))


def test_communes_come_in_vietnamese_order_after_the_province_level(client, scene, province):
    login(client, scene.citizen)
    page = text(client.get(f"/book/unit?province={province.code}"))
    options = re.findall(r"<option[^>]*>([^<]+)</option>", page)
    assert options == ["Cấp tỉnh: UBND tỉnh Tuyên Quang", "Xã An Tường", "Xã Đội Bình",
                       "Phường Hà Giang 1", "Xã Minh Quang", "Phường Minh Xuân"]
    assert "Bước 1/" in page


@pytest.mark.parametrize("query", ["minh xuan", "MINH  XUÂN", "Minh Xuân", "xuan"])
def test_search_without_accents_works_without_javascript(client, scene, province, query):
    login(client, scene.citizen)
    page = text(client.get(f"/book/unit?province={province.code}&q={query}"))
    options = re.findall(r"<option([^>]*)>([^<]+)</option>", page)
    assert [label for _attrs, label in options] == ["Cấp tỉnh: UBND tỉnh Tuyên Quang",
                                                    "Phường Minh Xuân"]
    assert "selected" in options[1][0]  # the one match is chosen already
    assert "Có 1 xã, phường có tên chứa" in page


def test_search_by_d_finds_the_d_with_a_stroke_and_a_miss_is_explained(client, scene,
                                                                        province):
    login(client, scene.citizen)
    assert "Xã Đội Bình" in text(client.get(f"/book/unit?province={province.code}&q=doi"))
    page = text(client.get(f"/book/unit?province={province.code}&q=khong co"))
    assert "Không có xã, phường nào có tên chứa “khong co”" in page
    assert "Xem tất cả" in page


def test_a_searched_commune_is_booked(client, scene, province):
    login(client, scene.citizen)
    commune = db.session.scalar(db.select(type(province)).where(
        type(province).name == "Phường Minh Xuân"))
    response = post(client, f"/book/unit?province={province.code}&q=minh+xuan",
                    {"unit_code": commune.code})
    assert response.location == "/book/session"
    with client.session_transaction() as state:
        assert state["booking_draft"]["unit_code"] == commune.code


# ---- help to choose ---------------------------------------------------------------------

def test_each_matter_type_is_explained_with_examples_and_unsure_is_offered(client, scene):
    login(client, scene.citizen)
    answer(client, scene)
    page = text(client.get("/book/type"))
    assert "Ví dụ: quyết định giải quyết tranh chấp đất đai" in page
    assert "mức bồi thường" in page
    for label in ("Khiếu nại", "Tố cáo", "Kiến nghị", "Phản ánh", "Tôi chưa rõ"):
        assert label in page
    assert "Bước 4/" in page


def test_unsure_books_a_reflection_marked_for_the_secretary(client, scene):
    login(client, scene.citizen)
    answer(client, scene, matter_type="chua_ro")
    assert post(client, "/book/files", {"continue": "1"}).location == "/book/consents"
    post(client, "/book/consents", {"recording": "y"})
    assert "Tôi chưa rõ" in text(client.get("/book/check"))
    db.session.commit()
    booking = db.session.scalar(db.select(Booking))
    assert booking is None
    finish_response = post(client, "/book/check", {
        "form_token": re.search(r'name="form_token"[^>]*value="([^"]+)"',
                                text(client.get("/book/check"))).group(1)})
    assert finish_response.status_code == 302
    booking = db.session.scalar(db.select(Booking))
    assert (booking.matter_type, booking.type_uncertain) == ("phan_anh", True)


def test_the_secretary_sees_an_unsure_type_and_sets_it(client, make, scene):
    booking = make.make_booking(scene.reception, scene.citizen, status="pending",
                                matter_type="phan_anh", type_uncertain=True)
    login(client, scene.secretary)
    page = text(client.get("/triage"))
    assert "Công dân chưa rõ loại vụ việc" in page
    assert f"/triage/{booking.id}/type" in page
    response = post(client, f"/triage/{booking.id}/type", {"matter_type": "nonsense"})
    assert response.status_code == 302
    db.session.refresh(booking)
    assert (booking.matter_type, booking.type_uncertain) == ("phan_anh", True)
    response = post(client, f"/triage/{booking.id}/type", {"matter_type": "khieu_nai"},
                    follow_redirects=True)
    assert "Đã xác định loại vụ việc." in text(response)
    db.session.refresh(booking)
    assert (booking.matter_type, booking.type_uncertain) == ("khieu_nai", False)
    assert "Công dân chưa rõ loại vụ việc" not in text(client.get("/triage"))


@pytest.mark.parametrize("who", ["citizen", "other_secretary", "anonymous"])
def test_only_a_secretary_of_the_unit_sets_the_type(client, make, scene, who):
    booking = make.make_booking(scene.reception, scene.citizen, status="pending",
                                matter_type="phan_anh", type_uncertain=True)
    if who == "citizen":
        login(client, scene.citizen)
    elif who == "other_secretary":
        login(client, make.make_user("secretary", unit=make.make_unit()))
    response = post(client, f"/triage/{booking.id}/type", {"matter_type": "to_cao"})
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert "/login" in response.location
    db.session.refresh(booking)
    assert (booking.matter_type, booking.type_uncertain) == ("phan_anh", True)


def test_the_api_keeps_its_four_types(api, scene):
    from tests.factories import booking_body

    body = booking_body(scene.reception)
    body["matter"]["type"] = "chua_ro"
    response = api.post("/bookings", user=scene.citizen, json=body)
    assert response.status_code == 422
    body["matter"]["type"] = "phan_anh"
    response = api.post("/bookings", user=scene.citizen, json=body)
    assert response.status_code == 201
    booking = db.session.get(Booking, response.get_json()["id"])
    assert booking.type_uncertain is False


# ---- no silent loss ---------------------------------------------------------------------

def test_a_chosen_file_goes_up_with_continue(client, scene):
    login(client, scene.citizen)
    answer(client, scene)
    response = post(client, "/book/files", {
        "continue": "1", "files": (io.BytesIO(b"%PDF-1.4 so do"), "sổ đỏ.pdf")},
        content_type="multipart/form-data")
    assert response.location == "/book/consents"
    post(client, "/book/consents", {"recording": "y"})
    assert "sổ đỏ.pdf" in text(client.get("/book/check"))
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"',
                      text(client.get("/book/check"))).group(1)
    post(client, "/book/check", {"form_token": token})
    assert db.session.scalar(db.select(Attachment.filename)) == "sổ đỏ.pdf"


def test_a_refused_file_with_continue_stays_and_says_why(client, scene):
    login(client, scene.citizen)
    answer(client, scene)
    response = post(client, "/book/files", {
        "continue": "1", "files": (io.BytesIO(b"MZ\x90\x00"), "virus.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    page = text(response)
    assert "Chỉ nhận tệp PDF, JPEG hoặc PNG" in page
    assert title(page).startswith("Lỗi: ")
    assert client.get("/book/consents").location == "/book/files"


def test_a_step_with_an_error_says_so_in_its_title(client, scene):
    login(client, scene.citizen)
    answer(client, scene)
    page = text(post(client, "/book/type", {}))
    assert title(page).startswith("Lỗi: ")
    assert not title(text(client.get("/book/type"))).startswith("Lỗi")


@pytest.mark.parametrize("bad", ["abc@", "an@@gmail.com", "an nguyen@gmail.com",
                                 "an@gmail", "an@invalid"])
def test_registration_checks_the_email(client, bad):
    data = {"full_name": "Trần Thị Bình", "phone": "0987654321", "email": bad,
            "password": "matkhau2024", "consent_data": "y"}
    response = client.post("/register", data=data)
    assert response.status_code == 200
    assert "Địa chỉ email không hợp lệ" in text(response)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_registration_keeps_a_valid_email_normalised(client):
    data = {"full_name": "Trần Thị Bình", "phone": "0987654321", "email": "Binh@Gmail.COM",
            "password": "matkhau2024", "consent_data": "y"}
    assert client.post("/register", data=data).status_code == 302
    assert db.session.scalar(db.select(User.email)) == "binh@gmail.com"


def test_profile_checks_the_email(client, make):
    user = make.make_user()
    log_in(client, user.email, PASSWORD)
    response = client.post("/profile", data={"full_name": "Phạm Thị Dung", "email": "ten@",
                                             "save-profile": "1"})
    assert "Địa chỉ email không hợp lệ" in text(response)
    db.session.expire_all()
    assert db.session.get(User, user.id).email == user.email


def test_deliverability_is_a_setting(app, monkeypatch):
    from app.auth import emails

    seen = {}

    def fake(address, **options):
        seen.update(options)
        raise emails.EmailNotValidError("no MX")

    monkeypatch.setattr(emails, "validate_email", fake)
    app.config["EMAIL_CHECK_DELIVERABILITY"] = True
    with pytest.raises(CoreError) as refused:
        emails.clean_email("an@nowhere.example")
    assert refused.value.code == "invalid_email" and seen["check_deliverability"] is True
    app.config["EMAIL_CHECK_DELIVERABILITY"] = False
    with pytest.raises(CoreError):
        emails.clean_email("an@nowhere.example")
    assert seen["check_deliverability"] is False


# ---- recovery dead end ------------------------------------------------------------------

def test_a_used_phone_offers_sign_in_and_password_help(client, make):
    make.make_user(phone="+84987654321")
    db.session.commit()
    data = {"full_name": "Trần Thị Bình", "phone": "0987654321",
            "password": "matkhau2024", "consent_data": "y"}
    page = text(client.post("/register", data=data))
    assert "Số điện thoại hoặc email này đã được dùng cho một tài khoản khác." in page
    assert "có thể bạn đã có tài khoản" in page
    assert 'href="/login"' in page
    # Another refusal shows no such help.
    page = text(client.post("/register", data={**data, "phone": "0241234567"}))
    assert "có thể bạn đã có tài khoản" not in page


# ---- always an answer -------------------------------------------------------------------

@pytest.mark.parametrize("status, words", [
    ("pending", "đang chờ Ban tiếp công dân xem xét"),
    ("waitlisted", "Bạn đang trong danh sách chờ"),
    ("refused", "đã bị từ chối tiếp"),
    ("redirected", "chuyển đến cơ quan có thẩm quyền"),
    ("cancelled", "Lịch hẹn này đã được hủy"),
    ("no_show", "bạn đã vắng mặt")])
@pytest.mark.parametrize("page", ["room", "test"])
def test_the_room_and_test_explain_a_booking_that_does_not_open_them(client, make, scene,
                                                                    status, words, page):
    booking = make.make_booking(scene.reception, scene.citizen, status=status)
    login(client, scene.citizen)
    response = client.get(f"/live/{scene.reception.id}/{page}")
    html = text(response)
    assert response.status_code == 200
    assert words in html and booking.tracking_code in html
    assert f"/bookings/{booking.id}" in html and "/bookings/mine" in html


def test_a_cancelled_session_is_explained_to_its_citizen(client, make, scene):
    make.make_booking(scene.reception, scene.citizen, status="accepted")
    scene.reception.status = "cancelled"
    login(client, scene.citizen)
    html = text(client.get(f"/live/{scene.reception.id}/room"))
    assert "Buổi tiếp này đã bị hủy" in html and 'href="/book"' in html


@pytest.mark.parametrize("page", ["room", "test"])
def test_someone_elses_booking_is_still_a_404(client, make, scene, page):
    make.make_booking(scene.reception, scene.other_citizen, status="pending")
    login(client, scene.citizen)
    response = client.get(f"/live/{scene.reception.id}/{page}")
    assert response.status_code == 404
    assert scene.other_citizen.full_name not in text(response)


def test_an_accepted_booking_still_enters_the_room(client, make, scene):
    make.make_booking(scene.reception, scene.citizen, status="accepted")
    login(client, scene.citizen)
    html = text(client.get(f"/live/{scene.reception.id}/room"))
    assert "Chưa thể vào phòng chờ" not in html


def test_an_error_page_offers_ways_back(app, client, scene):
    html = text(client.get("/no-such-page"))
    assert 'href="/"' in html and "/bookings/mine" not in html and "tel:" not in html
    app.config["HOTLINE"] = "1900 1234"
    login(client, scene.citizen)
    html = text(client.get("/no-such-page"))
    assert "Lịch hẹn của tôi" in html and 'href="/bookings/mine"' in html
    assert 'href="tel:19001234"' in html and "1900 1234" in html


# ---- what happens next ------------------------------------------------------------------

def test_the_done_page_says_what_happens_next(client, scene):
    login(client, scene.citizen)
    answer(client, scene)
    response = finish(client)
    booking = db.session.scalar(db.select(Booking))
    html = text(client.get(response.location))
    assert "Những việc tiếp theo" in html
    assert "chậm nhất 5 ngày làm việc trước buổi tiếp" in html
    assert "Tin nhắn nhắc lịch một ngày trước buổi tiếp." in html
    assert f"/live/{scene.reception.id}/test" in html and f"/live/{scene.reception.id}/room" in html
    assert f"/bookings/{booking.id}/receipt" in html


def test_an_in_person_booking_is_told_to_come_with_an_id(client, make):
    from tests.factories import build_scene

    scene = build_scene(mode="in_person")
    booking = make.make_booking(scene.reception, scene.citizen, status="accepted")
    login(client, scene.citizen)
    html = text(client.get(f"/bookings/{booking.id}/done"))
    assert "mang theo căn cước" in html and "/live/" not in html


def test_the_receipt_is_printable_and_for_its_owner(client, make, scene):
    booking = make.make_booking(scene.reception, scene.citizen, status="pending",
                                matter_type="khieu_nai")
    login(client, scene.citizen)
    html = text(client.get(f"/bookings/{booking.id}/receipt"))
    assert "Giấy biên nhận" in html and booking.tracking_code in html
    assert "Khiếu nại" in html and scene.reception.unit.name in html
    assert iso_local(booking.slot_start)[11:16] in html
    assert "data-print" in html
    other = make.make_user()
    client.post("/logout")
    login(client, other)
    assert client.get(f"/bookings/{booking.id}/receipt").status_code in (403, 404)


def test_the_receipt_needs_a_login(client, make, scene):
    booking = make.make_booking(scene.reception, scene.citizen)
    db.session.commit()
    response = client.get(f"/bookings/{booking.id}/receipt")
    assert response.status_code == 302 and "/login" in response.location
