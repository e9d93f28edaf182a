"""CCCD shown masked except to those who need it; password rules at registration and change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.auth import services
from app.extensions import db
from sessions.errors import CoreError
from tests.bookings.scene import build_scene
from tests.factories import PASSWORD, sign_in

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_template_shows_a_stored_cccd_through_the_mask():
    uses = []
    for path in TEMPLATES.rglob("*.html"):
        for match in re.finditer(r"[\w.\]\[']*cccd[^}]*", path.read_text()):
            expression = match.group(0)
            if expression.startswith(("form.cccd", "mask_cccd")):
                continue  # the registration field, the filter itself
            uses.append((path.name, expression))
            assert "| mask_cccd" in expression or "|mask_cccd" in expression, (path, expression)
    assert ("profile.html", "current_user.cccd | mask_cccd ") in uses


def test_the_profile_page_masks_the_number(client, make):
    citizen = make.make_user(cccd="001190012345")
    sign_in(client, citizen)
    page = client.get("/profile").get_data(as_text=True)
    assert "001******345" in page and "001190012345" not in page


def test_the_booking_api_hides_the_number_from_staff_without_a_need(api, make):
    scene = build_scene(make)
    booking = make.make_booking(scene.reception, scene.citizen, matter_type="to_cao")
    # A denouncer's CCCD: not even masked for those who may not see them (CONTRACT §8).
    for viewer, expected in ((scene.citizen, "008190004321"), (scene.host, "008190004321"),
                             (make.make_user("deputy", unit=scene.unit), None),
                             (make.make_user("admin"), None)):
        response = api.get(f"/bookings/{booking.id}", user=viewer)
        assert response.status_code == 200
        assert response.get_json()["citizen"]["cccd"] == expected
    other_unit = make.make_unit()
    outsider = make.make_user("secretary", unit=other_unit)
    response = api.get(f"/bookings/{booking.id}", user=outsider)
    assert response.status_code in (403, 404) and "004321" not in response.get_data(as_text=True)


def test_staff_pages_never_print_the_full_number(client, make):
    scene = build_scene(make)
    make.make_booking(scene.reception, scene.citizen, status="pending")
    sign_in(client, scene.secretary)
    page = client.get("/triage")
    assert page.status_code == 200 and "008190004321" not in page.get_data(as_text=True)


@pytest.mark.parametrize("password, code", [
    ("12345678901", "weak_password"),            # all digits
    ("abc12", "weak_password"),                  # too short
    ("binh.tran1@example.test", "password_is_identifier"),
    ("binh.tran1", "password_is_identifier"),    # the e-mail's local part
])
def test_registration_refuses_weak_passwords(api, password, code):
    response = api.post("/auth/register", json={
        "full_name": "Trần Bình", "phone": "0987654322", "email": "binh.tran1@example.test",
        "password": password, "consents": {"data_processing": True}})
    assert response.status_code == 422 and "password" in response.get_json()["errors"]
    with pytest.raises(CoreError) as caught:
        services.register_citizen({"full_name": "Trần Bình", "phone": "0987654322",
                                   "email": "binh.tran1@example.test", "password": password,
                                   "consents": {"data_processing": True}})
    assert caught.value.errors["password"].code == code


def test_registration_refuses_with_the_one_domain_error(app):
    """Every invalid field comes in one CoreError, as every door translates it."""
    with pytest.raises(CoreError) as caught:
        services.register_citizen({"full_name": "Trần Bình", "phone": "0987654322",
                                   "password": "an-toan-2026", "consents": {}})
    assert (caught.value.code, caught.value.status) == ("validation_error", 422)
    assert caught.value.errors["consents"].code == "consent_required"


def test_the_identifier_check_ignores_case_and_spaces():
    with pytest.raises(CoreError) as caught:
        services.check_password_rules(" Binh.Tran1@Example.TEST ", email="binh.tran1@example.test")
    assert caught.value.code == "password_is_identifier"
    assert services.check_password_rules("an-toan-2026", phone="+84987654322",
                                         email="binh.tran1@example.test") == "an-toan-2026"


@pytest.mark.parametrize("new, message", [
    ("0987654399", "gồm cả chữ và số"),
    ("pw.user1@example.test", "trùng với số điện thoại hoặc email"),
    (PASSWORD, "phải khác mật khẩu hiện tại"),
])
def test_password_change_follows_the_rules(client, make, new, message):
    user = make.make_user(email="pw.user1@example.test", phone="+84987654399")
    sign_in(client, user)
    response = client.post("/profile/password", data={"pw-current": PASSWORD, "pw-new": new},
                           follow_redirects=True)
    assert message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert services.check_password(user, PASSWORD)


def test_a_good_password_change_works(client, make):
    user = make.make_user()
    sign_in(client, user)
    client.post("/profile/password", data={"pw-current": PASSWORD, "pw-new": "moi-hon-2026"})
    db.session.refresh(user)
    assert services.check_password(user, "moi-hon-2026")
