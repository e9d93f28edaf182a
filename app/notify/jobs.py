"""The outbox dispatcher: sends due notifications, each at most once, with retries.

Each notification is first *claimed* by a conditional UPDATE that pushes its
``send_after`` a lease into the future; only the run whose UPDATE changed the row
sends it, so two scheduler runs (or two processes) never send one twice. A run that
dies while sending leaves the row to be retried once the lease has passed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update

from ..extensions import db
from ..timeutil import utcnow
from .models import Notification
from .senders import sender_for
from .services import pending

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BACKOFF_CAP = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4 ... minutes, at most an hour."""
    return min(timedelta(minutes=2 ** min(max(attempts, 1) - 1, 10)), BACKOFF_CAP)


def claim(notification_id: int, now: datetime) -> bool:
    """Take a due notification for this run: True for exactly one concurrent caller."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.sent_at.is_(None),
               Notification.failed_at.is_(None), Notification.send_after <= now)
        .values(attempts=Notification.attempts + 1, send_after=now + LEASE)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def dispatch_outbox(choose=None, limit: int = 100) -> dict[str, int]:
    """Send the due notifications; returns {"sent", "failed", "skipped"} counts.

    ``choose(channel)`` gives the sender (default: :func:`sender_for` from the app's
    settings). Unlike other jobs this one commits by itself, after the claim and
    again after the result of each notification: a claim must be visible to other
    runs before the message goes out, and one slow or failing message must not hold
    back or undo the others.
    """
    app = current_app._get_current_object()
    choose = choose or (lambda channel: sender_for(channel, app))
    due = [n.id for n in pending(limit)]
    db.session.commit()
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for notification_id in due:
        if not claim(notification_id, utcnow()):
            db.session.rollback()
            counts["skipped"] += 1
            continue
        db.session.commit()
        counts["sent" if _send(db.session.get(Notification, notification_id), choose)
               else "failed"] += 1
        db.session.commit()
    return counts


def _send(notification: Notification, choose) -> bool:
    """Hand one claimed notification to its sender and record the outcome."""
    try:
        choose(notification.channel).send(notification)
    except Exception as exc:  # noqa: BLE001 - any transport failure is recorded and retried
        now = utcnow()
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.attempts >= MAX_ATTEMPTS:
            notification.failed_at = now
        else:
            notification.send_after = now + backoff(notification.attempts)
        log.warning("notification %s not sent (attempt %s): %s", notification.id,
                    notification.attempts, exc)
        return False
    notification.sent_at = utcnow()
    notification.last_error = ""
    return True
