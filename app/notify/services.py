"""Queueing notifications in the outbox (sent after commit by the dispatch job)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from ..doors import after_commit
from ..extensions import db
from ..timeutil import utcnow
from . import sms
from .models import Notification
from .prompt import dispatch_soon
from .zalo import uses_zalo

#: Kinds that carry a secret (a one-time code). They go on the channel they were queued
#: on (:func:`queue_direct`), SMS or e-mail: never by a Zalo template nor on any other
#: channel, whatever template a kind is given.
DIRECT_KINDS = frozenset({"password_reset_code", "phone_check_code"})


def queue_notification(user, kind: str, subject: str, body: str, *,
                       dedupe_key: str | None = None,
                       send_after: datetime | None = None,
                       facts: dict | None = None,
                       calendar: str = "") -> list[Notification]:
    """Queue a message to ``user`` by e-mail and/or to their phone, in the caller's
    transaction.

    With ``dedupe_key`` the same notice is queued at most once per channel, however
    often this is called (jobs that run twice send nothing twice). Returns the rows
    added now; they are written with the caller's next flush or its commit (a booking
    writes them with its audit event: one flush fewer per booking).

    ``facts`` (plain JSON values) are what an SMS or Zalo template renders;
    ``calendar`` is the iMIP part an e-mail carries (iCalendar text with a METHOD).

    The phone's message goes by Zalo ZNS when its kind has a template there
    (app/notify/zalo.py), else by SMS; its body is the SMS text either way
    (app/notify/sms.py, rendered now in the user's language), which a Zalo message
    the phone cannot take is sent as (app/notify/jobs.py). Its dedupe key ends in
    ``:sms`` on both channels: one message per phone.
    """
    added = []
    for channel, recipient in (("email", user.email), ("sms", user.phone)):
        if not recipient:
            continue
        key = f"{dedupe_key}:{channel}" if dedupe_key else None
        if key and db.session.scalar(select(Notification.id)
                                     .where(Notification.dedupe_key == key)):
            continue
        if channel == "sms" and uses_zalo(kind, current_app.config):
            channel = "zalo"
        row = Notification(user_id=user.id, channel=channel, recipient=recipient, kind=kind,
                           subject=subject[:300], body=body if channel == "email" else
                           sms_text(user, kind, subject, body, facts), dedupe_key=key,
                           send_after=send_after or utcnow(), facts=facts,
                           calendar=calendar if channel == "email" else "")
        db.session.add(row)
        added.append(row)
    if added:
        after_commit(dispatch_soon)
    return added


def sms_text(user, kind: str, subject: str, body: str, facts: dict | None) -> str:
    """The SMS of a message, in ``user``'s language (CONTRACT §6's limits)."""
    config = current_app.config
    with force_locale(user.locale or config["BABEL_DEFAULT_LOCALE"]):
        return sms.render(kind, facts, subject, body, unicode=bool(config.get("SMS_UNICODE")))


def queue_direct(user, channel: str, recipient: str, kind: str, subject: str,
                 body: str) -> Notification:
    """Queue one message on exactly ``channel`` to ``recipient``, in the caller's
    transaction: no other channel is chosen for it (a code sent by SMS never becomes a
    Zalo message). The body is sent as given."""
    row = Notification(user_id=user.id if user is not None else None, channel=channel,
                       recipient=recipient, kind=kind, subject=subject[:300], body=body,
                       send_after=utcnow())
    db.session.add(row)
    after_commit(dispatch_soon)
    return row


def pending(limit: int = 100) -> list[Notification]:
    """Notifications due now and not yet sent or abandoned, oldest first."""
    now = utcnow()
    query = (select(Notification)
             .where(Notification.sent_at.is_(None), Notification.failed_at.is_(None),
                    Notification.send_after <= now)
             .order_by(Notification.send_after, Notification.id).limit(limit))
    return list(db.session.scalars(query))
