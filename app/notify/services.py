"""Queueing notifications in the outbox (sent after commit by the dispatch job)."""

from __future__ import annotations

import json
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from sessions.errors import N_, CoreError

from ..doors import after_commit
from ..extensions import db
from ..timeutil import utcnow
from . import sms
from .models import Notification, PushSubscription
from .prompt import dispatch_soon
from .push import b64url_decode, payload, recipient_of, subscription_of
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


PUSH_KEY_SEPARATOR = ":push:"


def save_push_subscription(user, data) -> PushSubscription:
    """Keep the browser's push subscription ``{"endpoint", "keys": {"p256dh", "auth"}}``
    (the JSON of PushSubscription.toJSON()) for ``user``; the same endpoint given again
    is updated, also when another account had it on that browser before."""
    endpoint, keys = _subscription_fields(data)
    row = db.session.scalar(select(PushSubscription)
                            .where(PushSubscription.endpoint == endpoint))
    if row is None:
        row = PushSubscription(endpoint=endpoint)
        db.session.add(row)
    row.user_id, row.p256dh, row.auth = user.id, keys["p256dh"], keys["auth"]
    db.session.flush()
    return row


def _subscription_fields(data) -> tuple[str, dict]:
    """The endpoint and keys of a subscription, or ``validation_error``."""
    data = data if isinstance(data, dict) else {}
    endpoint, keys = data.get("endpoint"), data.get("keys")
    keys = keys if isinstance(keys, dict) else {}
    if not isinstance(endpoint, str) or not endpoint.startswith("https://") \
            or len(endpoint) > 1000:
        raise CoreError("validation_error", N_("Địa chỉ nhận thông báo của trình duyệt không "
                                               "hợp lệ."), field="endpoint")
    for name, size in (("p256dh", 65), ("auth", 16)):
        value = keys.get(name)
        if not isinstance(value, str) or len(value) > 200 or len(_decoded(value)) != size:
            raise CoreError("validation_error", N_("Khóa mã hóa thông báo của trình duyệt "
                                                   "không hợp lệ."), field="keys")
    return endpoint, {"p256dh": keys["p256dh"], "auth": keys["auth"]}


def _decoded(value: str) -> bytes:
    try:
        return b64url_decode(value)
    except (ValueError, TypeError):
        return b""


def push_subscriptions(user) -> list[PushSubscription]:
    """The browsers of ``user`` that accept push messages."""
    return list(db.session.scalars(select(PushSubscription)
                                   .where(PushSubscription.user_id == user.id)
                                   .order_by(PushSubscription.id)))


def queue_push(user, kind: str, subject: str, body: str, *, url: str, dedupe_key: str,
               facts: dict | None = None) -> list[Notification]:
    """Queue a Web Push message to each browser of ``user`` (none when there is none).

    Each is keyed ``<dedupe_key>:push:<subscription id>``; ``subject``, ``body`` and
    ``facts`` are kept so that a push refused as gone is sent by SMS/e-mail instead
    (:func:`fall_back_from_push`) with the same ``dedupe_key``."""
    added = []
    for subscription in push_subscriptions(user):
        key = f"{dedupe_key}{PUSH_KEY_SEPARATOR}{subscription.id}"
        if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
            continue
        row = Notification(user_id=user.id, channel="push", recipient=recipient_of(subscription),
                           kind=kind, subject=subject[:300],
                           body=payload(subject, body, url, dedupe_key), dedupe_key=key,
                           send_after=utcnow(), facts=facts)
        db.session.add(row)
        added.append(row)
    if added:
        after_commit(dispatch_soon)
    return added


def fall_back_from_push(notification: Notification) -> list[Notification]:
    """The push service said the subscription is gone: delete it and, unless another
    browser of the person still takes the message, queue it by e-mail and SMS."""
    subscription = subscription_of(notification.recipient)
    if subscription is not None:
        db.session.delete(subscription)
    base = (notification.dedupe_key or "").partition(PUSH_KEY_SEPARATOR)[0]
    user = notification.user
    if not base or user is None:
        return []
    others = db.session.scalar(
        select(Notification.id).where(Notification.channel == "push",
                                      Notification.id != notification.id,
                                      Notification.dedupe_key.startswith(base + PUSH_KEY_SEPARATOR),
                                      Notification.failed_at.is_(None)))
    if others is not None:
        return []
    message = json.loads(notification.body or "{}")
    return queue_notification(user, notification.kind, notification.subject,
                              message.get("body", ""), dedupe_key=base,
                              facts=notification.facts)
