"""VEVENTs written one by one (and stored) make the same calendar as icalendar's own."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

from icalendar import Calendar

from sessions.ical import EventData, build_calendar, serialise_event
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


def test_awkward_texts_survive_escaping_and_folding():
    rng = random.Random(20261127)
    events = [_event(rng, n) for n in range(400)]
    body = build_calendar(events, name="Lịch")
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in body.split(b"\r\n")) <= 75
    parsed = Calendar.from_ical(body).walk("VEVENT")
    for event, read in zip(events, parsed, strict=True):
        assert serialise_event(event) in body
        assert str(read["UID"]) == event.uid
        assert str(read.get("DESCRIPTION", "")) == event.description.replace("\\N", "\n") \
            .replace("\r\n", "\n").replace("\r", "\n")


def test_a_unit_feed_is_what_icalendar_would_write(client, place):
    from sqlalchemy import select

    from app.calendar import services as feeds
    from app.calendar.events import session_event, uid_domain
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
        events = [session_event(r, uid_domain()) for r in receptions]
        expected = build_calendar(events, name=f"Lịch tiếp công dân — {place.province.name}")
    assert body.count(b"BEGIN:VEVENT") == 2 and b"STATUS:CANCELLED" in body
    assert body == expected
