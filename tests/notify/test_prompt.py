"""Prompt dispatch (app/notify/prompt.py): the messages a request queued reach their
channel within seconds of its commit, without the scheduler, and the request does not
wait for the channel."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.doors import commit, rollback
from app.extensions import db
from app.notify.models import Notification
from app.notify.prompt import wait_idle
from app.notify.services import queue_notification
from tests.notify.conftest import GatewayServer, _serve


@pytest.fixture
def gateway(app):
    server_iter = _serve(GatewayServer())
    server = next(server_iter)
    app.config.update(SMS_GATEWAY_URL=server.url, OUTBOX_DISPATCH_ON_COMMIT=True)
    yield server
    assert wait_idle(30)
    next(server_iter, None)


def wait_for(gateway, count: int, timeout: float = 8) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(gateway.requests) < count:
        time.sleep(0.05)
    return gateway.requests


def queue_sms(make, text: str):
    user = make.make_user("citizen", email=None)
    queue_notification(user, "booking_received", "Thong bao", text)
    return user


def test_a_commit_that_queued_messages_sends_them_at_once(app, make, gateway):
    queue_sms(make, "Lich hen da nhan")
    commit()
    assert [r["json"]["text"] for r in wait_for(gateway, 1)] == ["Thong bao. Lich hen da nhan"]
    assert wait_idle(10)
    db.session.expire_all()
    assert db.session.scalar(select(Notification.sent_at)) is not None


def test_commits_during_a_run_are_sent_by_one_more_run(app, make, gateway):
    for n in range(5):
        queue_sms(make, f"Tin {n}")
        commit()
    texts = sorted(r["json"]["text"] for r in wait_for(gateway, 5))
    assert texts == [f"Thong bao. Tin {n}" for n in range(5)]  # each once


def test_a_rollback_sends_nothing(app, make, gateway):
    queue_sms(make, "Khong gui")
    rollback()
    commit()
    time.sleep(1)
    assert gateway.requests == [] and wait_idle(1)


def test_off_leaves_the_outbox_to_the_scheduler(app, make, gateway):
    app.config["OUTBOX_DISPATCH_ON_COMMIT"] = False
    queue_sms(make, "Cho lich chay")
    commit()
    time.sleep(1)
    assert gateway.requests == []
    assert db.session.scalar(select(Notification.sent_at)) is None


def test_the_request_does_not_wait_for_the_channel(app, client, make, gateway, monkeypatch):
    """A slow gateway (3 s) delays the message, not the answer to the request."""
    from app.notify import senders

    real_send = senders.SmsGatewaySender.send

    def slow_send(self, notification):
        time.sleep(3)
        real_send(self, notification)

    monkeypatch.setattr(senders.SmsGatewaySender, "send", slow_send)
    user = make.make_user("citizen")
    db.session.commit()
    started = time.monotonic()
    answer = client.post("/api/v1/auth/password-reset", json={"username": user.email})
    assert answer.status_code == 202
    assert time.monotonic() - started < 1.5
    db.session.commit()  # SQLite: the test holds no write lock while the run goes on
    assert len(wait_for(gateway, 1, timeout=10)) == 1


def test_a_job_run_by_hand_on_another_day_sends_its_messages_before_it_ends(app, make,
                                                                             gateway):
    """`flask jobs run booking_reminders --today D`: the reminders are queued as on D, so
    they must leave while the command's clock is still D's (and before the command ends,
    which would stop the background run with it)."""
    from datetime import timedelta

    from app.timeutil import local_today

    scene = make.build_scene(starts_in_minutes=60 * 24 * 10 - 4 * 60)
    make.make_booking(scene.reception, scene.citizen)
    db.session.commit()
    day = (local_today() + timedelta(days=9)).isoformat()
    result = app.test_cli_runner().invoke(args=["jobs", "run", "booking_reminders",
                                                "--today", day])
    assert result.exit_code == 0, result.output
    assert len(gateway.requests) == 1  # already there: the command waited for it
    db.session.expire_all()
    assert all(db.session.scalars(select(Notification.sent_at)))
