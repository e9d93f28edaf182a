"""The fast VEVENT writer of the feeds gives exactly icalendar's bytes (sessions.ical)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

from app.calendar.services import _chunks
from app.calendar.vevent import fold, supports, vevent_bytes
from sessions.ical import EventData, build_calendar
from tests.schedules.helpers import add_session

PIECES = ["Tiếp công dân định kỳ", "Nguyễn Thị Ánh Tuyết", "—", ",", ";", "\\", "^", "\n",
          "\r\n", "\r", "\\N", ":", "\"", "Phường Đo Hiệu Năng", "x" * 40, "ễ" * 30,
          "a,b;c\\d", " ", "🙂", "Lý do hủy: mưa bão"]


def _text(rng: random.Random, pieces: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(pieces))


def _event(rng: random.Random, n: int) -> EventData:
    start = datetime(2026, 1, 1, 1, 0, tzinfo=UTC) + timedelta(hours=rng.randrange(20000),
                                                               seconds=rng.randrange(60))
    zone = rng.choice([UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-3))])
    stamp = datetime(2025, 12, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(10**7),
                                                          microseconds=rng.randrange(10**6))
    return EventData(
        uid=f"session-{n}@{rng.choice(['tiepcongdan.local', 'a,b;c.vn'])}",
        summary=_text(rng, rng.randrange(1, 12)),
        starts_at=start.astimezone(zone), ends_at=start + timedelta(minutes=rng.randrange(300)),
        dtstamp=stamp, sequence=rng.randrange(5),
        status=rng.choice(["CONFIRMED", "TENTATIVE", "CANCELLED"]),
        description=rng.choice(["", _text(rng, rng.randrange(1, 15))]),
        location=rng.choice(["", _text(rng, rng.randrange(1, 6))]),
        url=rng.choice(["", "https://tiepcongdan.example.gov.vn/lich/buoi/12?a=b,c;d" + "x" * (n % 97)]),
        last_modified=rng.choice([None, stamp + timedelta(days=1)]))


def test_feed_events_are_written_byte_for_byte_as_icalendar_does():
    rng = random.Random(20261127)
    events = [_event(rng, n) for n in range(400)]
    expected = _chunks(build_calendar(events, name="Lịch"))
    assert len(expected) == len(events)
    for event, chunk in zip(events, expected, strict=True):
        assert vevent_bytes(event) == chunk, event


def test_folding_keeps_lines_under_75_octets_and_escapes_whole():
    line = "DESCRIPTION:" + "ả" * 30 + "\\n" + "b" * 80
    folded = fold(line)
    assert folded.replace("\r\n ", "") == line
    pieces = folded.split("\r\n ")
    assert all(len(p.encode()) < 75 for p in pieces)
    assert not any(p.endswith("\\") for p in pieces[:-1])
    assert fold("SUMMARY:ngắn") == "SUMMARY:ngắn"


def test_invitations_are_left_to_icalendar():
    start = datetime(2026, 12, 1, 1, tzinfo=UTC)
    plain = EventData(uid="u@x", summary="s", starts_at=start, ends_at=start, dtstamp=start)
    invite = EventData(uid="u@x", summary="s", starts_at=start, ends_at=start, dtstamp=start,
                       organizer=("a@x.vn", "A"), attendees=(("+84900000001", "B"),))
    assert supports(plain) and not supports(invite)


def test_a_unit_feed_is_what_icalendar_would_write(client, place):
    from sqlalchemy import select

    from app.calendar import services as feeds
    from app.extensions import db
    from app.schedules.models import ReceptionSession
    from app.timeutil import local_today, utcnow

    day = local_today() + timedelta(days=9)
    add_session(place.province, place.chairman, day, published_at=utcnow(),
                status="cancelled", cancel_reason="Mưa, bão; lũ \\ " * 4)
    add_session(place.province, place.chairman, day, hour=14, published_at=utcnow(),
                kind="adhoc", reason="Vụ việc đông người, phức tạp về đất đai " * 3)
    db.session.commit()
    feeds.clear_cache()
    body = client.get("/calendar/units/08.ics").data
    with client.application.test_request_context():
        receptions = db.session.scalars(select(ReceptionSession).where(
            ReceptionSession.unit_id == place.province.id).order_by(ReceptionSession.starts_at))
        events = [feeds.session_event(r, feeds.uid_domain()) for r in receptions]
        expected = build_calendar(events, name=f"Lịch tiếp công dân — {place.province.name}")
    assert body.count(b"BEGIN:VEVENT") == 2 and b"STATUS:CANCELLED" in body
    assert body == expected
