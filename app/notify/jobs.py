"""The outbox dispatcher: sends due notifications at least once, with retries.

Each notification is first *claimed* by a conditional UPDATE, committed before the
message leaves, that pushes its ``send_after`` a lease into the future and names the
claiming process (``claimed_by``); only the run whose UPDATE changed the row sends it,
so two scheduler runs (or two processes) never send one twice. A dispatcher killed
between its claim and the record of the result leaves the message claimed: if that
process is gone from this machine (a restarted scheduler), the next run sends it at
once, else it waits for the lease. Such a message may have reached its channel
already: it goes again with the same idempotency key (senders.idempotency_key), and
the channel drops the copy. docs/reliability.md states the guarantee.

A Zalo message the phone cannot take (no Zalo account...: senders.PhoneRefused) goes
at once by SMS: the same row switches its channel, so it is sent by one channel only,
and under the same idempotency key.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..timeutil import utcnow
from .models import Notification
from .push import PushGone
from .senders import PhoneRefused, sender_for
from .services import fall_back_from_push, pending

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BACKOFF_CAP = timedelta(hours=1)
# A run stops taking new batches after this long: below the job's 20-second interval.
RUN_SECONDS = 15


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4 ... minutes, at most an hour."""
    return min(timedelta(minutes=2 ** min(max(attempts, 1) - 1, 10)), BACKOFF_CAP)


@functools.cache
def dispatcher_id() -> str:
    """This process as a claimant: ``<host name>:<pid>``."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def claim(notification_id: int, now: datetime) -> bool:
    """Take a due notification for this run: True for exactly one concurrent caller."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.sent_at.is_(None),
               Notification.failed_at.is_(None), Notification.send_after <= now)
        .values(attempts=Notification.attempts + 1, send_after=now + LEASE,
                claimed_by=dispatcher_id())
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _gone(claimant: str) -> bool:
    """Whether ``claimant`` was a process of this machine that no longer runs."""
    host, _sep, pid = claimant.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or claimant == dispatcher_id():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, under another user
        return False
    return False


def release_orphans(now: datetime) -> int:
    """Make due again the claims of dispatchers killed on this machine; how many."""
    claims = db.session.execute(
        select(Notification.id, Notification.claimed_by)
        .where(Notification.claimed_by.is_not(None), Notification.sent_at.is_(None),
               Notification.failed_at.is_(None), Notification.send_after > now)).all()
    orphans = [row.id for row in claims if _gone(row.claimed_by)]
    if orphans:
        db.session.execute(
            update(Notification).where(Notification.id.in_(orphans))
            .values(send_after=now, claimed_by=None)
            .execution_options(synchronize_session=False))
        log.warning("outbox: %d message(s) claimed by a stopped dispatcher sent again "
                    "(same idempotency key)", len(orphans))
    return len(orphans)


def dispatch_outbox(choose=None, limit: int = 100) -> dict[str, int]:
    """Send the due notifications; returns {"sent", "failed", "skipped"} counts.

    ``choose(channel)`` gives the sender (default: :func:`sender_for` from the app's
    settings). Batches of ``limit`` follow one another while messages are due, for at
    most ``RUN_SECONDS`` (a backlog after an outage goes out in one run, not 100 per
    interval). Unlike other jobs this one commits by itself, after the claim and
    again after the result of each notification: a claim must be visible to other
    runs before the message goes out, and one slow or failing message must not hold
    back or undo the others.
    """
    app = current_app._get_current_object()
    choose = choose or (lambda channel: sender_for(channel, app))
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    started = time.monotonic()
    release_orphans(utcnow())
    while _dispatch_batch(choose, limit, counts) == limit \
            and time.monotonic() - started < RUN_SECONDS:
        pass
    return counts


def _dispatch_batch(choose, limit: int, counts: dict[str, int]) -> int:
    """Claim and send one batch of due notifications; how many were due."""
    due = [n.id for n in pending(limit)]
    db.session.commit()
    for notification_id in due:
        if not claim(notification_id, utcnow()):
            db.session.rollback()
            counts["skipped"] += 1
            continue
        db.session.commit()
        counts["sent" if _send(db.session.get(Notification, notification_id), choose)
               else "failed"] += 1
        db.session.commit()
    return len(due)


def _hand_over(notification: Notification, choose) -> None:
    """Give the notification to its channel; by SMS when Zalo refuses the phone."""
    try:
        choose(notification.channel).send(notification)
    except PhoneRefused as refusal:
        if notification.channel != "zalo":
            raise
        zalo_answer = notification.provider_answer or str(refusal)
        log.info("notification %s: %s; sent by SMS instead", notification.id, refusal)
        notification.channel, notification.provider_answer = "sms", ""
        notification.provider_id = ""
        try:
            choose("sms").send(notification)
        finally:
            notification.provider_answer = (f"zalo: {zalo_answer}\n"
                                            f"sms: {notification.provider_answer}")[:4000]


def _send(notification: Notification, choose) -> bool:
    """Hand one claimed notification to its sender and record the outcome."""
    try:
        _hand_over(notification, choose)
    except PushGone as exc:  # the browser dropped the subscription: SMS/e-mail instead
        notification.failed_at, notification.claimed_by = utcnow(), None
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        fall_back_from_push(notification)
        log.info("notification %s: push subscription gone, sent by SMS/e-mail instead",
                 notification.id)
        return False
    except Exception as exc:  # noqa: BLE001 - any transport failure is recorded and retried
        now = utcnow()
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.attempts >= MAX_ATTEMPTS:
            notification.failed_at = now
        else:
            notification.send_after = now + backoff(notification.attempts)
        log.warning("notification %s not sent (attempt %s): %s", notification.id,
                    notification.attempts, exc)
        notification.claimed_by = None
        return False
    notification.sent_at = utcnow()
    notification.last_error, notification.claimed_by = "", None
    return True
