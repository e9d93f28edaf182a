"""Who may use each booking route: the booking's citizen, others, staff in and out of the unit."""

import io

import pytest

from tests.bookings.scene import build_scene

ROLES = ("owner", "other_citizen", "secretary", "other_secretary", "officer", "anonymous")


@pytest.fixture
def people(make):
    """The scene, a booking of its citizen and one person per role."""
    scene = build_scene(make)
    other_unit = make.make_unit()
    agency = make.make_agency(scene.unit, "SXD")
    booking = make.make_booking(scene.reception, scene.citizen, slot_index=0, status="pending")
    actors = {"owner": scene.citizen, "other_citizen": scene.other_citizen,
              "secretary": scene.secretary,
              "other_secretary": make.make_user("secretary", unit=other_unit),
              "officer": make.make_user("officer", unit=scene.unit, agency=agency),
              "anonymous": None}
    return scene, booking, actors


#: Who views the booking: refused an action, they get 403; anyone else gets the 404 of a
#: missing booking (ids can be enumerated).
VIEWERS = ("owner", "secretary")


def _expect(allowed: dict, role: str) -> int:
    if role == "anonymous":
        return 401
    return allowed.get(role, 403 if role in VIEWERS else 404)


@pytest.mark.parametrize("role", ROLES)
def test_get_booking(api, people, role):
    _scene, booking, actors = people
    response = api.get(f"/bookings/{booking.id}", user=actors[role])
    assert response.status_code == _expect({"owner": 200, "secretary": 200}, role)


@pytest.mark.parametrize("role", ROLES)
def test_cancel(api, people, role):
    _scene, booking, actors = people
    response = api.post(f"/bookings/{booking.id}/cancel", user=actors[role])
    assert response.status_code == _expect({"owner": 200, "secretary": 200}, role)


@pytest.mark.parametrize("role", ROLES)
def test_reschedule(api, people, role):
    scene, booking, actors = people
    response = api.post(f"/bookings/{booking.id}/reschedule", user=actors[role],
                        json={"session_id": scene.reception.id})
    assert response.status_code == _expect({"owner": 200, "secretary": 200}, role)


@pytest.mark.parametrize("role", ROLES)
def test_decision(api, people, role):
    _scene, booking, actors = people
    response = api.post(f"/bookings/{booking.id}/decision", user=actors[role],
                        json={"decision": "accept"})
    assert response.status_code == _expect({"secretary": 200}, role)


@pytest.mark.parametrize("role", ROLES)
def test_invite(api, people, role):
    _scene, booking, actors = people
    response = api.get(f"/bookings/{booking.id}/invite.ics", user=actors[role])
    assert response.status_code == _expect({"owner": 200}, role)


@pytest.mark.parametrize("role", ROLES)
def test_attachments(api, people, role):
    _scene, booking, actors = people
    data = {"file": (io.BytesIO(b"%PDF-1.4 test"), "don.pdf")}
    response = api.post(f"/bookings/{booking.id}/attachments", user=actors[role], data=data,
                        content_type="multipart/form-data")
    assert response.status_code == _expect({"owner": 201}, role)


@pytest.mark.parametrize("role", ROLES)
def test_rating(api, people, role):
    _scene, booking, actors = people
    booking.status = "served"
    response = api.post(f"/bookings/{booking.id}/rating", user=actors[role],
                        json={"score": 5})
    assert response.status_code == _expect({"owner": 201}, role)


@pytest.mark.parametrize("role", ["host", "inspector", "deputy"])
def test_host_inspector_and_deputy_of_the_unit_may_read(api, make, people, role):
    scene, booking, _actors = people
    reader = make.make_user(role, unit=scene.unit)
    assert api.get(f"/bookings/{booking.id}", user=reader).status_code == 200


def test_secretary_of_the_province_sees_commune_bookings(api, make, people):
    scene, _booking, _actors = people
    commune = make.make_unit(level="commune", parent=scene.unit)
    reception = make.make_reception(commune, make.make_user("host", unit=commune))
    booking = make.make_booking(reception, scene.other_citizen)
    assert api.get(f"/bookings/{booking.id}", user=scene.secretary).status_code == 200


def test_id_of_the_wrong_form_is_404(api, people):
    _scene, _booking, actors = people
    assert api.get("/bookings/abc", user=actors["owner"]).status_code == 404
    assert api.get("/bookings/999999", user=actors["owner"]).status_code == 404
