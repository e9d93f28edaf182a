"""Tests of sessions/ical.py: feeds and invitations as clients read them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from sessions.ical import TZID, EventData, build_calendar, build_invite, calendar_etag

LOCAL = ZoneInfo(TZID)
LONG_DESCRIPTION = (
    "Công dân trình bày khiếu nại về việc thu hồi đất, bồi thường, hỗ trợ tái định cư "
    "tại xã Mỹ Bằng, tỉnh Tuyên Quang; đề nghị Chủ tịch UBND tỉnh xem xét giải quyết. "
) * 4


def make_event(**overrides) -> EventData:
    """An 08:00-11:30 local session on 16 February 2027, given in UTC."""
    values = {
        "uid": "session-1@tiepcongdan.example",
        "summary": "Tiếp công dân định kỳ của Chủ tịch UBND tỉnh",
        "starts_at": datetime(2027, 2, 16, 1, 0, tzinfo=UTC),
        "ends_at": datetime(2027, 2, 16, 4, 30, tzinfo=UTC),
        "dtstamp": datetime(2027, 1, 5, 9, 30, 15, tzinfo=LOCAL),
        "sequence": 2,
        "location": "Trụ sở tiếp công dân tỉnh Tuyên Quang",
        "url": "https://tiepcongdan.example/sessions/1",
    }
    values.update(overrides)
    return EventData(**values)


def make_invite_event(**overrides) -> EventData:
    """A booking's slot with an organizer and a citizen attendee."""
    values = {
        "uid": "booking-7@tiepcongdan.example",
        "organizer": ("tiepcongdan@tuyenquang.example", "Ban tiếp công dân tỉnh"),
        "attendees": (("an.nguyen@example.com", "Nguyễn Văn An"),),
        "sequence": 0,
    }
    values.update(overrides)
    return make_event(**values)


def make_feed() -> bytes:
    """A feed with the same 08:00 local start given in three different zones."""
    paris = datetime(2027, 3, 17, 2, 0, tzinfo=ZoneInfo("Europe/Paris"))
    plus7 = timezone(timedelta(hours=7))
    return build_calendar(
        [
            make_event(description=LONG_DESCRIPTION),
            make_event(uid="s2", starts_at=paris, ends_at=paris + timedelta(hours=3)),
            make_event(
                uid="s3",
                starts_at=datetime(2027, 4, 20, 8, tzinfo=plus7),
                ends_at=datetime(2027, 4, 20, 11, tzinfo=plus7),
                status="CANCELLED",
            ),
        ],
        name="Lịch tiếp công dân tỉnh Tuyên Quang",
    )


def test_feed_times_are_eight_local_one_utc():
    calendar = Calendar.from_ical(make_feed())
    occurrences = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2028, 1, 1))
    assert len(occurrences) == 3
    for event in occurrences:
        start = event["DTSTART"]
        assert start.params["TZID"] == TZID
        assert start.dt.astimezone(LOCAL).time().isoformat() == "08:00:00"
        assert start.dt.astimezone(UTC).hour == 1


def test_feed_lines_end_in_crlf():
    body = make_feed()
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"\r" not in body.replace(b"\r\n", b"")


def test_feed_lines_are_folded_at_75_octets():
    body = make_feed()
    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    # The long description is folded, and its Vietnamese letters take 2-3 octets
    # each, so folding by characters would have produced lines over 75 octets.
    continuations = [line for line in lines if line.startswith(b" ")]
    assert len(continuations) >= 5
    assert any(len(line.decode()) < len(line) for line in continuations)
    description = Calendar.from_ical(body).events[0]["DESCRIPTION"]
    assert description == LONG_DESCRIPTION


def test_feed_has_one_vtimezone_for_every_tzid():
    calendar = Calendar.from_ical(make_feed())
    assert calendar.get_used_tzids() == {TZID}
    assert calendar.get_missing_tzids() == set()
    assert [tz.tz_name for tz in calendar.timezones] == [TZID]


def test_feed_event_properties():
    body = make_feed()
    calendar = Calendar.from_ical(body)
    first, _, cancelled = calendar.events
    assert calendar["X-WR-CALNAME"] == "Lịch tiếp công dân tỉnh Tuyên Quang"
    assert calendar["VERSION"] == "2.0"
    assert "METHOD" not in calendar
    assert first["UID"] == "session-1@tiepcongdan.example"
    assert first["SEQUENCE"] == 2
    assert first["STATUS"] == "CONFIRMED"
    assert cancelled["STATUS"] == "CANCELLED"
    assert re.search(rb"\r\nDTSTAMP:20270105T023015Z\r\n", body)
    assert re.search(rb"\r\nLAST-MODIFIED:20270105T023015Z\r\n", body)


def test_feed_is_deterministic_and_etag_is_strong():
    body = make_feed()
    assert make_feed() == body
    etag = calendar_etag(body)
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert calendar_etag(body + b" ") != etag


def test_event_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="timezone-aware"):
        make_event(starts_at=datetime(2027, 2, 16, 8))


def test_event_refuses_unknown_status():
    with pytest.raises(ValueError, match="status"):
        make_event(status="DONE")


def test_invite_request_then_cancel():
    request = Calendar.from_ical(build_invite(make_invite_event(), "REQUEST"))
    cancel = Calendar.from_ical(build_invite(make_invite_event(sequence=1), "CANCEL"))
    assert request["METHOD"] == "REQUEST"
    assert cancel["METHOD"] == "CANCEL"
    first, second = request.events[0], cancel.events[0]
    assert first["UID"] == second["UID"]
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert first["STATUS"] == "CONFIRMED"
    assert second["STATUS"] == "CANCELLED"
    assert cancel.get_missing_tzids() == set()


def test_invite_has_organizer_and_attendee():
    event = Calendar.from_ical(build_invite(make_invite_event(), "REQUEST")).events[0]
    organizer, attendee = event["ORGANIZER"], event["ATTENDEE"]
    assert organizer == "mailto:tiepcongdan@tuyenquang.example"
    assert organizer.params["CN"] == "Ban tiếp công dân tỉnh"
    assert attendee == "mailto:an.nguyen@example.com"
    assert attendee.params["CN"] == "Nguyễn Văn An"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "FALSE"


def test_invite_citizen_without_email_gets_tel_address():
    event_data = make_invite_event(attendees=(("+84900000001", "Nguyễn Văn An"),))
    event = Calendar.from_ical(build_invite(event_data, "REQUEST")).events[0]
    assert event["ATTENDEE"] == "tel:+84900000001"


@pytest.mark.parametrize(
    ("overrides", "method"),
    [({}, "PUBLISH"), ({"attendees": ()}, "REQUEST"), ({"organizer": None}, "CANCEL")],
)
def test_invite_refuses_bad_input(overrides, method):
    with pytest.raises(ValueError, match="method|organizer"):
        build_invite(make_invite_event(**overrides), method)


def test_a_calendar_joined_from_events_is_icalendars_own():
    from icalendar import Calendar as IcalCalendar

    from sessions.ical import DEFAULT_PRODID, _vevent, _vtimezone

    events = [make_event(description=LONG_DESCRIPTION), make_event(uid="s2", status="CANCELLED")]
    whole = IcalCalendar()
    for name, value in [("prodid", DEFAULT_PRODID), ("version", "2.0"),
                        ("calscale", "GREGORIAN"), ("x-wr-calname", "Lịch"),
                        ("x-wr-timezone", TZID)]:
        whole.add(name, value)
    whole.add_component(_vtimezone())
    for event in events:
        whole.add_component(_vevent(event))
    assert build_calendar(events, name="Lịch") == whole.to_ical()


def test_the_fingerprint_follows_every_field_written():
    from sessions.ical import event_fingerprint

    event = make_event(description=LONG_DESCRIPTION)
    assert event_fingerprint(event) == event_fingerprint(make_event(description=LONG_DESCRIPTION))
    for change in ({"summary": "Khác"}, {"sequence": 3}, {"status": "CANCELLED"},
                   {"ends_at": datetime(2027, 2, 16, 5, 0, tzinfo=UTC)}, {"url": ""},
                   {"dtstamp": datetime(2027, 1, 5, 9, 30, 16, tzinfo=LOCAL)}):
        assert event_fingerprint(make_event(description=LONG_DESCRIPTION, **change)) != \
            event_fingerprint(event), change
