"""Units that require an identity verified through VNeID for online sessions
(app/bookings/assurance.py), and what the staff see of a verified identity."""

from __future__ import annotations

import pytest

from app.bookings import services
from app.bookings.access import citizen_dict
from app.extensions import db
from app.timeutil import utcnow
from sessions.errors import CoreError
from tests.bookings.scene import body
from tests.factories import log_in

BADGE = "danh tính đã xác thực qua VNeID"


def verify(user):
    user.identity_verified_via, user.identity_verified_at = "vneid", utcnow()


@pytest.fixture
def strict(scene):
    scene.unit.requires_verified_identity = True
    db.session.flush()
    return scene


def test_an_unverified_citizen_cannot_book_an_online_session_there(strict):
    with pytest.raises(CoreError) as refused:
        services.create_booking(strict.citizen, body(strict.reception))
    assert refused.value.code == "identity_required" and refused.value.status == 403
    assert "VNeID" in refused.value.message and "tại điểm tiếp công dân" in refused.value.message


def test_a_verified_citizen_books_it_and_in_person_sessions_stay_open(strict, make):
    verify(strict.citizen)
    booking, _created = services.create_booking(strict.citizen, body(strict.reception))
    assert booking.id
    in_person = make.make_reception(strict.unit, strict.host, mode="in_person",
                                    starts_in_minutes=60 * 24 * 20)
    booking, _created = services.create_booking(strict.other_citizen, body(in_person))
    assert booking.id


def test_other_units_ask_nothing(scene):
    booking, _created = services.create_booking(scene.citizen, body(scene.reception))
    assert booking.id


def test_the_wizard_says_why_at_the_choice_of_session(client, strict):
    db.session.commit()
    assert log_in(client, strict.citizen.email).status_code == 302
    client.post(f"/book/unit?province={strict.unit.code}", data={"unit_code": strict.unit.code})
    response = client.post("/book/session", data={"choice": str(strict.reception.id)})
    assert response.location == "/book/session"
    page = client.get("/book/session").get_data(as_text=True)
    assert "yêu cầu xác thực danh tính qua VNeID" in page


def test_the_secretary_sees_a_verified_identity_on_triage(client, make, scene):
    verify(scene.citizen)
    make.make_booking(scene.reception, scene.citizen, status="pending")
    db.session.commit()
    assert log_in(client, scene.secretary.email).status_code == 302
    assert BADGE in client.get("/triage").get_data(as_text=True)


def test_nothing_of_a_denouncer_is_shown_to_those_who_may_not_see_them(client, make, scene):
    verify(scene.citizen)
    booking = make.make_booking(scene.reception, scene.citizen, status="pending",
                                matter_type="to_cao")
    assert citizen_dict(booking, True)["identity_verified_via"] == "vneid"
    assert "identity_verified_via" not in citizen_dict(booking, False)
    db.session.commit()
    assert log_in(client, make.make_user("admin").email).status_code == 302
    assert BADGE not in client.get("/triage").get_data(as_text=True)


def test_the_api_checks_the_person_behind_the_token(api, strict):
    payload = body(strict.reception)
    refused = api.post("/bookings", json=payload, user=strict.citizen)
    assert refused.status_code == 422 and "session_id" in refused.get_json()["errors"]
    verify(strict.citizen)
    db.session.commit()
    assert api.post("/bookings", json=payload, user=strict.citizen).status_code == 201
