"""The outbox: notifications written in the same transaction as the change they announce."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

CHANNELS = ("email", "sms", "zalo", "push")


class OutboxState(StrEnum):
    """Where an outbox message stands, read from ``sent_at`` and ``failed_at`` (no column)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    user = relationship("User")
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # The same notice is never queued twice (e.g. a reminder job that runs twice).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    send_after: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    # "<host>:<pid>" of the dispatcher sending it now (app/notify/jobs.py), else None.
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The facts an SMS or Zalo template renders (tracking code, date, time, unit, link...).
    facts: Mapped[dict | None] = mapped_column(JSON)
    # An e-mail's iMIP part (RFC 6047), the iCalendar text with its METHOD; else "".
    calendar: Mapped[str] = mapped_column(Text, default="")
    # What the provider answered: its message id, and its last answer in full.
    provider_id: Mapped[str] = mapped_column(String(120), default="")
    provider_answer: Mapped[str] = mapped_column(Text, default="")


class PushSubscription(db.Model):
    """A browser's Web Push subscription (RFC 8030), given from the waiting room.

    ``p256dh`` and ``auth`` are the browser's keys (base64url) that each message is
    encrypted to (RFC 8291); a push service answering 404 or 410 means the browser
    dropped the subscription, which is then deleted (app/notify/jobs.py)."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
