"""Each session keeps its serialised VEVENT; a cold feed concatenates the stored ones."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from app.calendar import services as feeds
from app.extensions import db
from app.schedules import services
from app.schedules.generation import move_session
from app.timeutil import local_today
from tests.schedules.helpers import add_session

URL = "/calendar/units/08.ics"


def _cold_feed(client) -> bytes:
    db.session.commit()
    feeds.clear_cache()
    response = client.get(URL)
    assert response.status_code == 200
    db.session.expire_all()
    return response.data


def _stored(reception) -> Calendar:
    assert reception.ics_vevent is not None
    return Calendar.from_ical(reception.ics_vevent)


def test_first_read_stores_each_session_event(client, place):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=9))
    assert reception.ics_vevent is None
    body = _cold_feed(client)
    assert reception.ics_vevent.encode() in body
    assert str(_stored(reception)["UID"]) == f"session-{reception.id}@tiepcongdan.local"


def test_a_cold_feed_is_made_of_the_stored_bytes(client, place):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=9))
    _cold_feed(client)
    marked = reception.ics_vevent.replace("SUMMARY:", "SUMMARY:Lưu sẵn ")
    db.session.execute(db.update(type(reception)).where(type(reception).id == reception.id)
                       .values(ics_vevent=marked, updated_at=reception.updated_at))
    assert "SUMMARY:Lưu sẵn ".encode() in _cold_feed(client)


def test_a_moved_session_is_serialised_again(client, place):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=9))
    _cold_feed(client)
    later = reception.starts_at + timedelta(hours=6)
    move_session(reception, later, later + timedelta(hours=3), 20, place.secretary)
    body = _cold_feed(client)
    [event] = _stored(reception).walk("VEVENT")
    assert event.decoded("DTSTART").hour == 14 and int(event["SEQUENCE"]) == 1
    assert reception.ics_vevent.encode() in body


def test_a_cancelled_session_is_serialised_again(client, place):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=9))
    _cold_feed(client)
    services.cancel_session(reception, "Chủ tịch đi công tác đột xuất", place.secretary)
    body = _cold_feed(client)
    [event] = _stored(reception).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and b"STATUS:CANCELLED" in body


def test_a_renamed_host_is_serialised_again(client, place):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=9))
    _cold_feed(client)
    place.chairman.full_name = "Nguyễn Văn Mới"
    _cold_feed(client)
    assert "Nguyễn Văn Mới" in str(_stored(reception).walk("VEVENT")[0]["SUMMARY"])


def test_another_language_leaves_the_stored_event_alone(client, place):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=9))
    _cold_feed(client)
    stored = reception.ics_vevent
    feeds.clear_cache()
    english = client.get(URL + "?lang=en").data
    db.session.expire_all()
    assert b"Format: " in english and reception.ics_vevent == stored
