""""Your turn is near": once per booking, only to citizens away from the waiting room."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.live import presence, services
from app.live.jobs import tell_turns_near
from app.live.models import LivePresence
from app.live.turn_near import notify_turn_near
from app.notify.models import Notification
from app.timeutil import utcnow

DENUNCIATION = "Tố cáo ông Trần Văn Bình nhận hối lộ khi cấp giấy phép xây dựng"
FACTS = {"tracking_code", "date", "time", "unit", "link", "position"}


@pytest.fixture
def line(app, make):
    """An online session that started 5 minutes ago, its host and five citizens with
    accepted bookings in slot order; the fourth booking is a denunciation."""
    from types import SimpleNamespace

    unit = make.make_unit()
    host = make.make_user("host", unit=unit)
    reception = make.make_reception(unit, host, starts_in_minutes=-5, slot_minutes=10)
    citizens = [make.make_user("citizen") for _ in range(5)]
    bookings = [make.make_booking(reception, c, slot_index=i,
                                  **({"matter_type": "to_cao", "summary": DENUNCIATION}
                                     if i == 3 else {}))
                for i, c in enumerate(citizens)]
    db.session.commit()
    return SimpleNamespace(reception=reception, host=host, citizens=citizens,
                           bookings=bookings, id=reception.id,
                           host_token=make.token_for(host),
                           tokens=[make.token_for(c) for c in citizens])


def told() -> dict[int, set[str]]:
    """Booking id -> channels of the turn_near messages queued for it."""
    db.session.expire_all()
    found: dict[int, set[str]] = {}
    for row in db.session.scalars(select(Notification).where(Notification.kind == "turn_near")):
        found.setdefault(int(row.dedupe_key.split(":")[1]), set()).add(row.channel)
    return found


def check_in(line, *indexes, now=None):
    for index in indexes:
        services.check_in_citizen(line.reception, line.citizens[index], now or utcnow())


def test_only_citizens_away_with_at_most_two_ahead_are_told_once(line):
    now = utcnow()
    check_in(line, 0, 1, 2, 3)
    for index in (0, 1, 2):  # the fourth closed the tab; the fifth never came in
        presence.enter(f"sid-{index}", line.id, line.citizens[index].id, now)
    services.call_next_citizen(line.reception, actor=line.host, now=now)
    # 002, 003 wait in the room; 004 is away with two ahead; 005 would be fourth.
    assert notify_turn_near(line.reception, now) == [line.bookings[3].id]
    assert told() == {line.bookings[3].id: {"email", "sms"}}

    services.call_next_citizen(line.reception, actor=line.host, now=now)
    assert notify_turn_near(line.reception, now) == [line.bookings[4].id]
    assert notify_turn_near(line.reception, now) == []  # never twice
    services.call_next_citizen(line.reception, actor=line.host, now=now)
    assert notify_turn_near(line.reception, now) == []
    assert told() == {line.bookings[3].id: {"email", "sms"},
                      line.bookings[4].id: {"email", "sms"}}


def test_the_message_carries_the_facts_and_never_the_matter(line):
    check_in(line, 0, 1, 2, 3)
    notify_turn_near(line.reception, utcnow())  # nobody present: the first four are near
    rows = db.session.scalars(select(Notification).where(Notification.kind == "turn_near")).all()
    assert {int(r.dedupe_key.split(":")[1]) for r in rows} == {b.id for b in line.bookings[:3]}
    for row in rows:
        assert set(row.facts) == FACTS
        assert "hối lộ" not in row.body and "hối lộ" not in row.subject
        assert row.facts["link"].endswith(f"/live/{line.id}/room")
    sms = {r.facts["position"]: r for r in rows if r.channel == "sms"}
    assert set(sms) == {1, 2, 3}
    assert sms[3].facts["tracking_code"] == line.bookings[2].tracking_code
    # The SMS is the turn_near template (GSM-7, app/notify/sms.py); the e-mail says how many.
    assert sms[3].facts["tracking_code"] in sms[3].body and "phong cho" in sms[3].body
    emails = {r.facts["position"]: r for r in rows if r.channel == "email"}
    assert "Còn 2 người trước ông/bà" in emails[3].body

    db.session.commit()
    services.call_next_citizen(line.reception, actor=line.host, now=utcnow())
    notify_turn_near(line.reception, utcnow())
    denunciation = db.session.scalars(select(Notification).where(
        Notification.dedupe_key.startswith(f"turn_near:{line.bookings[3].id}:"))).all()
    assert {r.channel for r in denunciation} == {"email", "sms"}
    for row in denunciation:
        assert DENUNCIATION not in row.body and "hối lộ" not in str(row.facts)
        assert DENUNCIATION not in row.subject


def test_presence_counts_while_fresh_and_for_a_short_drop(line, app):
    app.config.update(LIVE_PRESENCE_SECONDS=60, LIVE_PRESENCE_GRACE_SECONDS=30)
    now = utcnow()
    check_in(line, 0, 1, 2)
    presence.enter("a", line.id, line.citizens[0].id, now - timedelta(minutes=10))  # stale
    presence.enter("b", line.id, line.citizens[1].id, now)
    presence.leave("b", now - timedelta(seconds=10))  # dropped 10 s ago: still present
    presence.enter("c", line.id, line.citizens[2].id, now)
    presence.leave("c", now - timedelta(seconds=31))  # gone
    assert presence.present(line.id, [c.id for c in line.citizens], now) == {
        line.citizens[1].id}
    assert sorted(notify_turn_near(line.reception, now)) == sorted(
        [line.bookings[0].id, line.bookings[2].id])


def test_a_refreshed_process_keeps_its_citizens_present(line, app):
    now = utcnow()
    presence.enter("a", line.id, line.citizens[0].id, now - timedelta(minutes=10))
    assert presence.present(line.id, [line.citizens[0].id], now) == set()
    row = db.session.scalar(select(LivePresence))
    assert presence.refresh(row.process, now) == 1
    assert presence.present(line.id, [line.citizens[0].id], now) == {line.citizens[0].id}
    presence.leave("a", now - timedelta(hours=1))
    assert presence.forget_old(now) == 1


def test_the_job_tells_who_left_and_skips_in_person_sessions(line, make):
    check_in(line, 0, 1)
    in_person = make.make_reception(line.reception.unit, line.host, starts_in_minutes=-5,
                                    mode="in_person")
    other = make.make_booking(in_person, line.citizens[4], slot_index=0)
    services.check_in_citizen(in_person, line.citizens[4], utcnow())
    told_now = tell_turns_near()
    assert other.id not in told_now
    assert set(told_now) == {b.id for b in line.bookings[:3]}
    assert tell_turns_near() == []


def test_nothing_is_told_before_the_room_opens(app, make):
    unit = make.make_unit()
    host = make.make_user("host", unit=unit)
    reception = make.make_reception(unit, host, starts_in_minutes=180)
    make.make_booking(reception, make.make_user("citizen"), slot_index=0)
    assert notify_turn_near(reception, utcnow()) == []
    assert told() == {}


def _wait_left(sid_count: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = db.session.scalar(select(db.func.count()).select_from(LivePresence)
                                 .where(LivePresence.left_at.is_not(None)))
        db.session.commit()  # never sleep holding SQLite's write lock
        if left >= sid_count:
            return
        time.sleep(0.05)
    raise AssertionError("the disconnect was not recorded")


def test_over_sockets_a_call_tells_the_citizen_who_closed_the_tab(line, live_server, connect):
    live_server.app.config["LIVE_PRESENCE_GRACE_SECONDS"] = 0
    citizens = [connect(live_server, line.tokens[i]) for i in range(4)]
    for client in citizens:
        assert client.call("join", {"session_id": line.id})["ok"] is True
    assert db.session.scalar(select(db.func.count()).select_from(LivePresence)) == 4
    db.session.commit()
    citizens[3].close()
    _wait_left(1)
    host = connect(live_server, line.host_token)
    host.call("join", {"session_id": line.id})
    assert host.call("call_next", {"session_id": line.id})["ticket"] == "001"
    assert told() == {line.bookings[3].id: {"email", "sms"}}
    citizens[1].wait_for("queue", lambda q: q["position"] == 1)
    assert host.call("call_next", {"session_id": line.id})["ticket"] == "002"
    assert told() == {line.bookings[3].id: {"email", "sms"},
                      line.bookings[4].id: {"email", "sms"}}


def test_the_process_holding_a_socket_keeps_it_fresh(line, live_server, connect):
    from sqlalchemy import update

    live_server.app.config["LIVE_PRESENCE_SECONDS"] = 1
    client = connect(live_server, line.tokens[0])
    assert client.call("join", {"session_id": line.id})["ok"] is True
    old = utcnow() - timedelta(hours=1)
    db.session.execute(update(LivePresence).values(seen_at=old))
    db.session.commit()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        seen = db.session.scalar(select(LivePresence.seen_at))
        db.session.commit()
        if seen > old + timedelta(minutes=30):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the presence row was not refreshed")
    client.close()
    time.sleep(1.5)  # the refresher sees no socket left and stops before the server does
