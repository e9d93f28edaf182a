"""A booking's VEVENT is the same in its invitation and in the citizen's feed (CONTRACT §6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from app.auth.services import new_calendar_token
from app.extensions import db
from app.schedules import services
from app.timeutil import local_today
from tests.schedules.helpers import add_session


def _invite_event(api, booking):
    response = api.get(f"/bookings/{booking.id}/invite.ics", user=booking.citizen)
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    return str(calendar["METHOD"]), calendar.walk("VEVENT")[0]


def _feed_event(client, booking):
    token = new_calendar_token(booking.citizen)
    db.session.commit()
    events = Calendar.from_ical(client.get(f"/calendar/me.ics?token={token}").data).walk("VEVENT")
    [event] = [e for e in events if str(e["UID"]).startswith(f"booking-{booking.id}@")]
    return event


def _same_everywhere(api, client, booking) -> tuple[str, str, int]:
    method, invited = _invite_event(api, booking)
    listed = _feed_event(client, booking)
    assert str(invited["UID"]) == str(listed["UID"])
    assert int(invited["SEQUENCE"]) == int(listed["SEQUENCE"])
    assert str(invited["STATUS"]) == str(listed["STATUS"])
    return method, str(invited["UID"]), int(invited["SEQUENCE"])


@pytest.fixture
def booked(place, make):
    """An accepted booking of a citizen in a province session nine days ahead."""
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=9))
    return make.make_booking(reception, make.make_user(), slot_index=1)


def test_uid_domain_is_the_site_host_only(app, api, client, booked):
    app.config["MAIL_SENDER"] = "tiepcongdan@tuyenquang.gov.vn"
    _method, uid, _sequence = _same_everywhere(api, client, booked)
    assert uid == f"booking-{booked.id}@tiepcongdan.local"
    app.config["SITE_URL"] = "https://tiepcongdan.tuyenquang.gov.vn/"
    _method, uid, _sequence = _same_everywhere(api, client, booked)
    assert uid == f"booking-{booked.id}@tiepcongdan.tuyenquang.gov.vn"


def test_a_deputy_changes_neither_side_apart(api, client, place, booked):
    services.assign_deputy(booked.reception, place.deputy.id, "Quyết định số 12/QĐ-UBND",
                           place.secretary)
    assert _same_everywhere(api, client, booked)[::2] == ("REQUEST", 0)


def test_a_cancelled_session_cancels_the_booking_everywhere(api, client, place, booked):
    _method, _uid, before = _same_everywhere(api, client, booked)
    services.cancel_session(booked.reception, "Chủ tịch đi công tác đột xuất", place.secretary)
    method, _uid, after = _same_everywhere(api, client, booked)
    assert method == "CANCEL" and after > before


def test_moving_to_a_session_with_a_lower_sequence_still_raises_it(api, client, place, booked):
    booked.reception.sequence = 3  # the session was moved three times before
    target = add_session(place.province, place.chairman, local_today() + timedelta(days=12))
    _method, _uid, before = _same_everywhere(api, client, booked)
    response = api.post(f"/bookings/{booked.id}/reschedule", user=booked.citizen,
                        json={"session_id": target.id})
    assert response.status_code == 200, response.get_json()
    method, _uid, after = _same_everywhere(api, client, booked)
    assert method == "REQUEST" and after > before
