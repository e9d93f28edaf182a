"""GET /api/v1/bookings/<id>: who sees the citizen, masked or not, and the audit of reveals."""

import pytest

from tests.bookings.scene import audit_actions, build_scene


@pytest.fixture
def denunciation(make):
    scene = build_scene(make)
    booking = make.make_booking(scene.reception, scene.citizen, matter_type="to_cao",
                                summary="Tố cáo cán bộ địa chính nhận tiền.")
    return scene, booking


def _citizen(api, booking, user):
    response = api.get(f"/bookings/{booking.id}", user=user)
    assert response.status_code == 200
    return response.get_json()["citizen"]


@pytest.mark.parametrize("role", ["secretary", "host", "inspector"])
def test_denouncer_is_revealed_to_host_secretary_inspector_and_audited(api, make,
                                                                      denunciation, role):
    scene, booking = denunciation
    viewer = {"secretary": scene.secretary, "host": scene.host}.get(role) or make.make_user(
        role, unit=scene.unit)
    citizen = _citizen(api, booking, viewer)
    assert citizen["full_name"] == "Nguyễn Văn An" and citizen["cccd"] == "008190004321"
    assert audit_actions().count("reveal") == 1


def test_a_chairman_who_does_not_host_the_session_gets_the_words(api, make, denunciation):
    scene, booking = denunciation
    other_chairman = make.make_user("host", unit=scene.unit)
    assert _citizen(api, booking, other_chairman)["full_name"] == "Người tố cáo (được giữ bí mật)"


@pytest.mark.parametrize("role", ["deputy", "admin"])
def test_denouncer_is_masked_for_other_roles(api, make, denunciation, role):
    scene, booking = denunciation
    viewer = make.make_user(role, unit=scene.unit)
    citizen = _citizen(api, booking, viewer)
    assert citizen == {"full_name": "Người tố cáo (được giữ bí mật)", "phone": None,
                       "cccd": None, "masked": True}
    assert "reveal" not in audit_actions()


def test_acting_deputy_host_sees_the_denouncer(api, make, denunciation):
    scene, booking = denunciation
    deputy = make.make_user("deputy", unit=scene.unit)
    scene.reception.acting_host_id = deputy.id
    assert _citizen(api, booking, deputy)["full_name"] == "Nguyễn Văn An"


def test_the_citizen_sees_themselves_without_a_reveal(api, denunciation):
    scene, booking = denunciation
    assert _citizen(api, booking, scene.citizen)["phone"] == "+84912345678"
    assert "reveal" not in audit_actions()


def test_other_matters_are_shown_to_staff_without_reveal(api, make):
    scene = build_scene(make)
    booking = make.make_booking(scene.reception, scene.citizen, matter_type="khieu_nai")
    assert _citizen(api, booking, scene.secretary)["full_name"] == "Nguyễn Văn An"
    assert "reveal" not in audit_actions()


def test_booking_shape(api, make):
    scene = build_scene(make)
    booking = make.make_booking(scene.reception, scene.citizen)
    data = api.get(f"/bookings/{booking.id}", user=scene.citizen).get_json()
    assert {"id", "tracking_code", "session_id", "slot_start", "status", "matter", "citizen",
            "history"} <= set(data)
    assert data["history"][0]["status"] == "accepted"
    assert data["history"][0]["at"].endswith("+07:00")
