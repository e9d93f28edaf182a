"""GET /api/v1/bookings/<id>/invite.ics: REQUEST, then CANCEL with the same UID."""

from icalendar import Calendar

from tests.bookings.scene import body, build_scene


def _invite(api, booking_id, user):
    response = api.get(f"/bookings/{booking_id}/invite.ics", user=user)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    return calendar, calendar.walk("VEVENT")[0]


def test_invite_then_cancel_pair(api, scene):
    booking_id = api.post("/bookings", user=scene.citizen,
                          json=body(scene.reception)).get_json()["id"]
    calendar, event = _invite(api, booking_id, scene.citizen)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert calendar.walk("VTIMEZONE")
    assert str(event["ATTENDEE"]) == f"mailto:{scene.citizen.email}"
    assert str(event["ORGANIZER"]).startswith("mailto:")
    api.post(f"/bookings/{booking_id}/cancel", user=scene.citizen)
    cancelled_calendar, cancelled = _invite(api, booking_id, scene.citizen)
    assert str(cancelled_calendar["METHOD"]) == "CANCEL"
    assert str(cancelled["UID"]) == str(event["UID"]) == f"booking-{booking_id}@tiepcongdan.local"
    assert int(cancelled["SEQUENCE"]) > int(event["SEQUENCE"])
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_reschedule_sends_a_request_with_higher_sequence(api, scene):
    booking_id = api.post("/bookings", user=scene.citizen,
                          json=body(scene.reception)).get_json()["id"]
    _calendar, before = _invite(api, booking_id, scene.citizen)
    api.post(f"/bookings/{booking_id}/reschedule", user=scene.citizen,
             json={"session_id": scene.reception.id})
    calendar, after = _invite(api, booking_id, scene.citizen)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART") > before.decoded("DTSTART")


def test_citizen_without_email_is_a_tel_attendee(api, make, scene):
    citizen = make.make_user(email=None, phone="+84987654321")
    booking_id = api.post("/bookings", user=citizen,
                          json=body(scene.reception)).get_json()["id"]
    _calendar, event = _invite(api, booking_id, citizen)
    assert str(event["ATTENDEE"]) == "tel:+84987654321"


def test_waitlisted_booking_has_no_invite(api, make):
    scene = build_scene(make, duration_minutes=20)
    make.make_booking(scene.reception, scene.other_citizen)
    booking_id = api.post("/bookings", user=scene.citizen, json=body(
        scene.reception, None, waitlist=True)).get_json()["id"]
    response = api.get(f"/bookings/{booking_id}/invite.ics", user=scene.citizen)
    assert response.status_code == 409
