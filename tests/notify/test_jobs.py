"""app/notify/jobs.py: dispatch_outbox claims, sends, retries with backoff, gives up."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest

from app.extensions import db
from app.jobs import run_job
from app.notify.jobs import LEASE, MAX_ATTEMPTS, backoff, claim, dispatch_outbox, dispatcher_id
from app.notify.models import Notification
from app.timeutil import utcnow
from tests.notify.conftest import RecordingSender


def reload(row: Notification) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, row.id)


def test_due_notifications_are_sent_and_marked(outbox, sender):
    email, sms = outbox("email"), outbox("sms")
    counts = dispatch_outbox(lambda channel: sender)
    assert counts == {"sent": 2, "failed": 0, "skipped": 0}
    assert sorted(sender.sent) == sorted([(email.id, "email", email.recipient),
                                          (sms.id, "sms", sms.recipient)])
    row = reload(email)
    assert row.sent_at is not None and row.attempts == 1 and row.last_error == ""


def test_running_twice_sends_nothing_twice(outbox, sender):
    row = outbox()
    dispatch_outbox(lambda channel: sender)
    assert dispatch_outbox(lambda channel: sender)["sent"] == 0
    assert sender.sent == [(row.id, "email", row.recipient)]


def test_a_notification_not_yet_due_waits(outbox, sender):
    outbox(send_after=utcnow() + timedelta(minutes=10))
    assert dispatch_outbox(lambda channel: sender)["sent"] == 0
    assert sender.sent == []


def test_only_one_of_two_concurrent_runs_claims_a_notification(outbox):
    row = outbox()
    now = utcnow()
    assert claim(row.id, now) is True
    assert claim(row.id, now) is False
    assert reload(row).send_after > now


def test_a_failure_is_recorded_and_retried_after_a_backoff(outbox):
    row = outbox()
    failing = RecordingSender(error=ConnectionRefusedError("máy chủ không trả lời"))
    assert dispatch_outbox(lambda channel: failing)["failed"] == 1
    row = reload(row)
    assert row.sent_at is None and row.failed_at is None and row.attempts == 1
    assert "ConnectionRefusedError: máy chủ không trả lời" == row.last_error
    assert timedelta(seconds=50) < row.send_after - utcnow() <= timedelta(minutes=1)
    assert dispatch_outbox(lambda channel: failing) == {"sent": 0, "failed": 0, "skipped": 0}


@pytest.mark.parametrize("attempts, minutes", [(1, 1), (2, 2), (3, 4), (4, 8), (6, 32),
                                               (7, 60), (8, 60), (50, 60)])
def test_backoff_doubles_up_to_an_hour(attempts, minutes):
    assert backoff(attempts) == timedelta(minutes=minutes)


def test_second_failure_waits_two_minutes(outbox):
    row = outbox(attempts=1, last_error="x")
    dispatch_outbox(lambda channel: RecordingSender(error=TimeoutError("hết giờ")))
    row = reload(row)
    assert row.attempts == 2
    assert timedelta(seconds=110) < row.send_after - utcnow() <= timedelta(minutes=2)


def test_gives_up_after_the_last_attempt(outbox):
    row = outbox(attempts=MAX_ATTEMPTS - 1)
    dispatch_outbox(lambda channel: RecordingSender(error=OSError("hỏng")))
    row = reload(row)
    assert row.attempts == MAX_ATTEMPTS and row.failed_at is not None and row.sent_at is None
    later = RecordingSender()
    row.send_after = utcnow() - timedelta(hours=1)
    db.session.commit()
    dispatch_outbox(lambda channel: later)
    assert later.sent == []


def test_one_failing_channel_does_not_hold_back_the_others(outbox, sender):
    email, sms = outbox("email"), outbox("sms")
    failing = RecordingSender(error=RuntimeError("gateway down"))
    counts = dispatch_outbox(lambda channel: sender if channel == "email" else failing)
    assert counts == {"sent": 1, "failed": 1, "skipped": 0}
    assert reload(email).sent_at is not None and reload(sms).sent_at is None


def test_the_scheduled_job_sends_through_the_log_in_development(app, outbox, caplog):
    row = outbox(subject="Thư mời", body="Nội dung thư mời")
    caplog.set_level("INFO", logger="app.notify.senders")
    run_job(app, "dispatch_outbox")
    assert reload(row).sent_at is not None
    assert "Nội dung thư mời" in caplog.text and row.recipient in caplog.text


def _claimed_by(row: Notification, claimant: str) -> None:
    """As if a dispatcher ``claimant`` had claimed ``row`` and then stopped."""
    row.attempts, row.claimed_by = 1, claimant
    row.send_after = utcnow() + LEASE
    db.session.commit()


def _dead_pid() -> int:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_claim_marks_who_is_sending_and_is_cleared_when_sent(outbox, sender):
    row = outbox()
    assert claim(row.id, utcnow()) is True
    assert reload(row).claimed_by == dispatcher_id()
    reload(row).send_after = utcnow()  # the lease has passed
    db.session.commit()
    assert dispatch_outbox(lambda channel: sender)["sent"] == 1
    assert reload(row).claimed_by is None


def test_a_claim_of_a_dispatcher_killed_on_this_machine_is_sent_at_once(outbox, sender):
    row = outbox()
    _claimed_by(row, f"{socket.gethostname()}:{_dead_pid()}")
    assert dispatch_outbox(lambda channel: sender)["sent"] == 1
    assert sender.sent == [(row.id, "email", row.recipient)]
    assert reload(row).attempts == 2


@pytest.mark.parametrize("claimant", [f"{socket.gethostname()}:1", "may-chu-khac:4242"])
def test_a_claim_of_a_live_or_remote_dispatcher_waits_for_its_lease(outbox, sender, claimant):
    row = outbox()
    _claimed_by(row, claimant)
    assert dispatch_outbox(lambda channel: sender)["sent"] == 0
    assert reload(row).claimed_by == claimant


def test_the_scheduler_dispatches_the_outbox_as_soon_as_it_starts(app):
    from datetime import datetime

    from app.jobs import build_scheduler

    scheduler = build_scheduler(app, background=True)
    scheduler.start(paused=True)
    try:
        first = scheduler.get_job("dispatch_outbox").next_run_time
        assert (first - datetime.now(first.tzinfo)).total_seconds() < 2
    finally:
        scheduler.shutdown(wait=False)


def test_a_backlog_larger_than_a_batch_goes_out_in_one_run(outbox, sender):
    """After an outage a run keeps taking batches: 100 messages per 20-second run would
    hold a backlog of a booking rush's messages far past the 30 seconds of CONTRACT §6."""
    rows = [outbox("sms", recipient=f"+8491{i:07d}") for i in range(7)]
    counts = dispatch_outbox(lambda channel: sender, limit=3)
    assert counts == {"sent": 7, "failed": 0, "skipped": 0}
    assert sorted(s[0] for s in sender.sent) == sorted(r.id for r in rows)
