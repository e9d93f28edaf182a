"""iCalendar feeds (CONTRACT §4): /calendar/units/<code>.ics and /calendar/me.ics."""

from __future__ import annotations

from datetime import timedelta

import recurring_ical_events
from icalendar import Calendar

from app.auth.services import new_calendar_token
from app.extensions import db
from app.schedules import services
from app.timeutil import local_today
from tests.schedules.helpers import add_session, body


def get_feed(client, url, **headers):
    db.session.commit()
    return client.get(url, headers=headers)


def events_of(data: bytes) -> list:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_unit_feed_expands_to_sessions_at_eight_local(client, place):
    schedule, _ = services.create_schedule(body(place), None)
    response = get_feed(client, "/calendar/units/08.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    first, last = local_today(), local_today() + timedelta(days=400)
    expanded = recurring_ical_events.of(calendar).between(first, last)
    assert len(expanded) == len(schedule.sessions)
    for event in expanded:
        start = event["DTSTART"].dt
        assert (start.hour, start.minute, str(start.tzinfo)) == (8, 0, "Asia/Ho_Chi_Minh")


def test_events_have_stable_uids_dtstamp_and_sequence(client, place):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=9))
    first = events_of(get_feed(client, "/calendar/units/08.ics").data)
    second = events_of(get_feed(client, "/calendar/units/08.ics").data)
    assert [str(e["UID"]) for e in first] == [f"session-{reception.id}@tiepcongdan.local"]
    assert first[0]["UID"] == second[0]["UID"]
    assert "DTSTAMP" in first[0] and int(first[0]["SEQUENCE"]) == 0


def test_lines_end_in_crlf_and_are_folded(client, place):
    add_session(place.province, place.chairman, local_today() + timedelta(days=9),
                kind="adhoc", reason="Vụ việc đông người, phức tạp về đất đai " * 5)
    data = get_feed(client, "/calendar/units/08.ics").data
    lines = data.split(b"\r\n")
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75


def test_etag_and_304(client, place):
    add_session(place.province, place.chairman, local_today() + timedelta(days=9))
    response = get_feed(client, "/calendar/units/08.ics")
    etag = response.headers["ETag"]
    assert etag.startswith('"') and response.headers["Last-Modified"]
    again = get_feed(client, "/calendar/units/08.ics", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = get_feed(client, "/calendar/units/08.ics",
                     **{"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304


def test_a_cancelled_session_stays_with_a_higher_sequence(client, place):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=9))
    before = get_feed(client, "/calendar/units/08.ics")
    services.cancel_session(reception, "Chủ tịch đi công tác đột xuất", place.secretary)
    after = get_feed(client, "/calendar/units/08.ics", **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    [event] = events_of(after.data)
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == f"session-{reception.id}@tiepcongdan.local"


def test_unit_feed_keeps_30_days_of_past_and_only_that_unit(client, place):
    add_session(place.province, place.chairman, local_today() - timedelta(days=40))
    recent = add_session(place.province, place.chairman, local_today() - timedelta(days=10))
    add_session(place.commune, place.commune_chairman, local_today() + timedelta(days=3))
    uids = [str(e["UID"]) for e in events_of(get_feed(client, "/calendar/units/08.ics").data)]
    assert uids == [f"session-{recent.id}@tiepcongdan.local"]


def test_unknown_unit_feed_is_404(client, place):
    assert get_feed(client, "/calendar/units/77.ics").status_code == 404


def test_citizen_feed_has_bookings_and_cancelled_ones(client, place, make):
    citizen = make.make_user()
    first = add_session(place.province, place.chairman, local_today() + timedelta(days=9))
    second = add_session(place.province, place.chairman, local_today() + timedelta(days=20))
    make.make_booking(first, citizen, slot_index=2)
    make.make_booking(second, citizen, status="cancelled")
    token = new_calendar_token(citizen)
    events = events_of(get_feed(client, f"/calendar/me.ics?token={token}").data)
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CANCELLED"]
    start = events[0]["DTSTART"].dt
    assert (start.hour, start.minute) == (8, 40)
    assert all(str(e["UID"]).startswith("booking-") for e in events)


def test_host_and_secretary_feeds(client, place):
    province = add_session(place.province, place.chairman, local_today() + timedelta(days=9))
    commune = add_session(place.commune, place.commune_chairman,
                          local_today() + timedelta(days=9), hour=14)
    host_token = new_calendar_token(place.chairman)
    secretary_token = new_calendar_token(place.secretary)
    host_uids = [str(e["UID"]) for e in events_of(
        get_feed(client, f"/calendar/me.ics?token={host_token}").data)]
    secretary_uids = {str(e["UID"]) for e in events_of(
        get_feed(client, f"/calendar/me.ics?token={secretary_token}").data)}
    assert host_uids == [f"session-{province.id}@tiepcongdan.local"]
    assert secretary_uids == {f"session-{province.id}@tiepcongdan.local",
                              f"session-{commune.id}@tiepcongdan.local"}


def test_a_wrong_or_replaced_token_is_404(client, place):
    old = new_calendar_token(place.chairman)
    new_calendar_token(place.chairman)
    assert get_feed(client, f"/calendar/me.ics?token={old}").status_code == 404
    assert get_feed(client, "/calendar/me.ics?token=nope").status_code == 404
    assert get_feed(client, "/calendar/me.ics").status_code == 404


def test_a_feed_is_byte_for_byte_what_the_core_builds(app, place):
    from app.calendar.events import session_event
    from app.calendar.services import unit_feed
    from app.schedules.models import ReceptionSession
    from sessions.ical import build_calendar

    first = add_session(place.province, place.chairman, local_today() + timedelta(days=9))
    with app.test_request_context("/calendar/units/08.ics"):
        unit_feed(place.province)  # the first session is now cached on its own
        add_session(place.province, place.chairman, local_today() + timedelta(days=12))
        feed = unit_feed(place.province)
        receptions = db.session.scalars(db.select(ReceptionSession).order_by(
            ReceptionSession.starts_at)).all()
        expected = build_calendar([session_event(r, "tiepcongdan.local") for r in receptions],
                                  name="Lịch tiếp công dân — Tuyên Quang")
    assert receptions[0].id == first.id and feed.body == expected
