"""The identity a citizen's account must hold to book (Law Art 7.2.a; Decree 154 Arts 12,
21.4; app/bookings/assurance.py): in person, a name and an address or an ID paper number;
online, the name, the address and an ID paper number. The API says what is missing and
where to add it; the web flow asks for it on a step of its own and goes on."""

from __future__ import annotations

import re

import pytest

from app.auth.models import User
from app.bookings.models import Booking
from app.extensions import db
from app.timeutil import iso_local, utcnow
from tests.bookings.scene import row_counts
from tests.factories import booking_body, log_in, make_reception, make_user

PAGE = "Thông tin cá nhân (/profile)"


def bare_citizen(**fields) -> User:
    """A citizen whose account has a name and a phone, nothing else of their identity."""
    values = {"address": "", "cccd": None}
    values.update(fields)
    return make_user(**values)


def test_api_refuses_an_online_booking_naming_the_missing_fields(api, scene):
    citizen = bare_citizen()
    before = row_counts()
    response = api.post("/bookings", user=citizen, json=booking_body(scene.reception))
    assert response.status_code == 422
    data = response.get_json()
    assert data["error"] == "validation_error"
    assert set(data["errors"]) == {"address", "cccd"}
    assert PAGE in data["message"] and "trực tuyến" in data["message"]
    assert "địa chỉ" in data["errors"]["address"]
    assert "CCCD" in data["errors"]["cccd"] and "hộ chiếu" in data["errors"]["cccd"]
    assert row_counts() == before


def test_online_needs_the_address_and_an_id_paper_both(api, scene):
    only_address = bare_citizen(address="Số 3 đường Tân Trào, Tuyên Quang")
    response = api.post("/bookings", user=only_address, json=booking_body(scene.reception))
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"cccd"}
    only_cccd = bare_citizen(cccd="008190004999")
    response = api.post("/bookings", user=only_cccd, json=booking_body(scene.reception))
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"address"}
    passport = bare_citizen(address="Số 3 đường Tân Trào", passport_number="C1234567")
    response = api.post("/bookings", user=passport, json=booking_body(scene.reception))
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("mode", ["hybrid", "online"])
def test_a_session_attended_online_asks_all_three(api, scene, mode):
    reception = make_reception(scene.unit, scene.host, mode=mode,
                               starts_in_minutes=60 * 24 * 20)
    citizen = bare_citizen(address="Số 3 đường Tân Trào")
    response = api.post("/bookings", user=citizen, json=booking_body(reception))
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"cccd"}


def test_in_person_a_name_with_an_address_or_an_id_paper_is_enough(api, scene):
    reception = make_reception(scene.unit, scene.host, mode="in_person",
                               starts_in_minutes=60 * 24 * 20)
    nothing = bare_citizen()
    response = api.post("/bookings", user=nothing, json=booking_body(reception))
    assert response.status_code == 422
    data = response.get_json()
    assert set(data["errors"]) == {"address", "cccd"} and "trực tuyến" not in data["message"]
    for slot, fields in enumerate(({"address": "Thôn Làng Là, xã Thượng Lâm"},
                                   {"cccd": "008190004998"}, {"passport_number": "B7654321"})):
        citizen = bare_citizen(**fields)
        response = api.post("/bookings", user=citizen, json=booking_body(reception, slot))
        assert response.status_code == 201, (fields, response.get_json())


def test_a_vneid_identity_books_online_without_typing_a_cccd(api, scene):
    citizen = bare_citizen(cccd="008090001111", identity_verified_via="vneid",
                           identity_verified_at=utcnow(), oidc_issuer="https://vneid.test",
                           oidc_subject="sub-1")
    response = api.post("/bookings", user=citizen, json=booking_body(scene.reception))
    assert response.status_code == 201, response.get_json()


def test_an_unverified_account_without_a_number_is_not_vneid(api, scene):
    citizen = bare_citizen(identity_verified_via="vneid", identity_verified_at=utcnow())
    response = api.post("/bookings", user=citizen, json=booking_body(scene.reception))
    assert response.status_code == 422


def test_register_keeps_a_passport_number(api):
    response = api.post("/auth/register", json={
        "full_name": "John Smith", "phone": "0987654321", "password": "matkhau123",
        "passport": "n 1234 5678", "address": "Hà Giang",
        "consents": {"data_processing": True}})
    assert response.status_code == 201, response.get_json()
    user = db.session.scalar(db.select(User).where(User.full_name == "John Smith"))
    assert user.passport_number == "N12345678"
    response = api.post("/auth/register", json={
        "full_name": "Jane Smith", "phone": "0987654322", "password": "matkhau123",
        "passport": "xyz", "consents": {"data_processing": True}})
    assert response.status_code == 422 and "passport" in response.get_json()["errors"]


# --- the web flow ------------------------------------------------------------------------

def post(client, url, data=None):
    db.session.commit()
    response = client.post(url, data=data or {})
    db.session.expire_all()
    return response


def login(client, user):
    assert log_in(client, user.email).status_code == 302


def _to_session(client, scene):
    assert post(client, f"/book/unit?province={scene.unit.code}",
                {"unit_code": scene.unit.code}).location == "/book/session"
    return post(client, "/book/session", {"choice": str(scene.reception.id)})


def test_the_flow_asks_for_what_is_missing_and_goes_on(client, scene):
    citizen = bare_citizen(address="")
    login(client, citizen)
    assert _to_session(client, scene).location == "/book/identity"
    page = client.get("/book/identity").get_data(as_text=True)
    assert "Thông tin nhận dạng" in page and 'name="address"' in page
    assert 'name="cccd"' in page and 'name="passport"' in page
    # A wrong number keeps the citizen here with the reason; nothing is saved.
    response = post(client, "/book/identity", {"address": "Số 9 phố Lê Lợi",
                                               "cccd": "12345"})
    assert response.status_code == 200
    assert "Số CCCD phải gồm đúng 12 chữ số." in response.get_data(as_text=True)
    assert db.session.get(User, citizen.id).address == ""
    response = post(client, "/book/identity", {"address": "Số 9 phố Lê Lợi",
                                               "cccd": "008 190 004 997"})
    assert response.location == "/book/slot"
    saved = db.session.get(User, citizen.id)
    assert (saved.address, saved.cccd) == ("Số 9 phố Lê Lợi", "008190004997")
    # The step is gone once the account holds the identity.
    assert client.get("/book/identity").location == "/book/slot"


def test_only_the_missing_fields_are_asked(client, scene):
    citizen = bare_citizen(address="Số 9 phố Lê Lợi")
    login(client, citizen)
    _to_session(client, scene)
    page = client.get("/book/identity").get_data(as_text=True)
    assert 'name="address"' not in page and 'name="cccd"' in page
    assert post(client, "/book/identity", {"passport": "C7654321"}).location == "/book/slot"
    assert db.session.get(User, citizen.id).passport_number == "C7654321"


def test_a_citizen_with_an_identity_never_sees_the_step(client, scene):
    login(client, scene.citizen)
    assert _to_session(client, scene).location == "/book/slot"


def test_the_last_step_sends_back_to_the_identity_and_keeps_the_answers(client, scene):
    citizen = bare_citizen(address="Số 9 phố Lê Lợi", cccd="008190004996")
    login(client, citizen)
    _to_session(client, scene)
    summary = "Đề nghị giải quyết tranh chấp ranh giới đất với hộ liền kề."
    for url, data in (("/book/slot", {"slot_start": iso_local(scene.reception.starts_at)}),
                      ("/book/type", {"matter_type": "khieu_nai"}),
                      ("/book/field", {"matter_field": "dat_dai"}),
                      ("/book/summary", {"summary": summary}),
                      ("/book/group", {"group_size": "1"}),
                      ("/book/files", {"continue": "1"}),
                      ("/book/consents", {"recording": "y"})):
        assert post(client, url, data).status_code == 302, url
    page = client.get("/book/check").get_data(as_text=True)
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', page).group(1)
    # Meanwhile the address went from the account (another device, an administrator).
    db.session.get(User, citizen.id).address = ""
    response = post(client, "/book/check", {"form_token": token})
    assert response.location == "/book/identity"
    assert db.session.scalar(db.select(db.func.count(Booking.id))) == 0
    page = client.get("/book/identity").get_data(as_text=True)
    assert 'name="address"' in page and 'name="cccd"' not in page
    response = post(client, "/book/identity", {"address": "Số 10 phố Lê Lợi"})
    assert response.location == "/book/check"
    assert summary in client.get("/book/check").get_data(as_text=True)
    assert post(client, "/book/check", {"form_token": token}).status_code == 302
    booking = db.session.scalar(db.select(Booking))
    assert booking.summary == summary and booking.citizen_id == citizen.id


def test_a_cccd_another_account_holds_is_taken_without_a_word(client, scene):
    citizen = bare_citizen(address="")
    login(client, citizen)
    _to_session(client, scene)
    response = post(client, "/book/identity", {"address": "Số 9 phố Lê Lợi",
                                               "cccd": scene.citizen.cccd})
    assert response.location == "/book/slot"


def test_the_profile_page_adds_a_passport_and_keeps_a_blank_cccd(client):
    citizen = bare_citizen(cccd="008190004995")
    login(client, citizen)
    page = client.get("/profile").get_data(as_text=True)
    assert "008190004995" not in page and 'name="passport"' in page
    response = post(client, "/profile", {"full_name": "Trần Thị Bình", "address": "Hà Giang",
                                         "email": citizen.email, "cccd": "",
                                         "passport": "c1234567", "save-profile": "1"})
    assert response.status_code == 302
    saved = db.session.get(User, citizen.id)
    assert (saved.cccd, saved.passport_number, saved.address) == (
        "008190004995", "C1234567", "Hà Giang")


def test_a_vneid_cccd_is_not_changed_from_the_profile(client):
    citizen = bare_citizen(cccd="008090001112", identity_verified_via="vneid",
                           identity_verified_at=utcnow())
    login(client, citizen)
    assert 'name="cccd"' not in client.get("/profile").get_data(as_text=True)
    post(client, "/profile", {"full_name": "Trần Thị Bình", "email": citizen.email,
                              "cccd": "001190000001", "save-profile": "1"})
    assert db.session.get(User, citizen.id).cccd == "008090001112"
