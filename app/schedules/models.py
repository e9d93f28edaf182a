"""Periodic schedules, the dated reception sessions they produce, and holiday overrides."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sessions.recurrence import HolidayPolicy, SessionMode

from ..extensions import db
from ..timeutil import utcnow


# The columns stay String: a StrEnum member equals its string (see app/bookings/models.py).
class SessionStatus(StrEnum):
    """Where a reception session stands."""

    #: Published, taking bookings.
    SCHEDULED = "scheduled"
    #: The room is open.
    LIVE = "live"
    #: It took place.
    HELD = "held"
    #: It will not take place (kept, and shown as cancelled in calendars).
    CANCELLED = "cancelled"


class SessionKind(StrEnum):
    """Where a reception session comes from: a periodic schedule or an ad-hoc decision."""

    PERIODIC = "periodic"
    ADHOC = "adhoc"


MODES = tuple(SessionMode)
HOLIDAY_POLICIES = tuple(HolidayPolicy)
SESSION_KINDS = tuple(SessionKind)
SESSION_STATUSES = tuple(SessionStatus)
#: Not over yet: published, or with its room open.
OPEN_SESSION_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.LIVE)


class Schedule(db.Model):
    """A host's periodic reception rule (RFC 5545 RRULE) for a unit."""

    __tablename__ = "schedules"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="positive_duration"),
        CheckConstraint("slot_minutes > 0", name="positive_slot"),
        CheckConstraint("valid_until >= valid_from", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    rrule: Mapped[str] = mapped_column(String(300))
    start_time: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int]
    slot_minutes: Mapped[int]
    mode: Mapped[str] = mapped_column(String(12))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    holiday_policy: Mapped[str] = mapped_column(String(8))
    location: Mapped[str] = mapped_column(String(300), default="")
    generated_until: Mapped[date | None] = mapped_column(Date)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    unit = relationship("Unit")
    host = relationship("User", foreign_keys=[host_id])
    sessions: Mapped[list[ReceptionSession]] = relationship(
        back_populates="schedule", order_by="ReceptionSession.starts_at")


class ReceptionSession(db.Model):
    """One dated reception (buổi tiếp): periodic (from a schedule) or ad-hoc."""

    __tablename__ = "reception_sessions"
    __table_args__ = (
        # A schedule produces at most one session per rule date, so extending the
        # horizon twice (or from two processes) creates nothing twice.
        UniqueConstraint("schedule_id", "origin_date"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("status IN ('scheduled','live','held','cancelled')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id"), index=True)
    origin_date: Mapped[date | None] = mapped_column(Date)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    acting_host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deputy_authorisation: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(10), default=SessionKind.PERIODIC)
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    slot_minutes: Mapped[int]
    mode: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default=SessionStatus.SCHEDULED,
                                        index=True)
    location: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    shifted_from: Mapped[date | None] = mapped_column(Date)
    previous_starts_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sequence: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # The session's VEVENT as the feeds last wrote it, and the fingerprint of the event
    # it was written from (app/calendar/services.py): NULL until a feed first reads it.
    # Deferred: only the feeds load them.
    ics_vevent: Mapped[str | None] = mapped_column(Text, deferred=True, deferred_group="ics")
    ics_fingerprint: Mapped[str | None] = mapped_column(String(32), deferred=True,
                                                        deferred_group="ics")

    schedule: Mapped[Schedule | None] = relationship(back_populates="sessions")
    unit = relationship("Unit")
    host = relationship("User", foreign_keys=[host_id])
    acting_host = relationship("User", foreign_keys=[acting_host_id])

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def hosted_by(self):
        """Who actually hosts: the authorised deputy when one stands in."""
        return self.acting_host or self.host


class HolidayOverride(db.Model):
    """A day off or make-up working day decided after the holidays package was released."""

    __tablename__ = "holiday_overrides"
    __table_args__ = (CheckConstraint("kind IN ('off','work')", name="known_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SlotHold(db.Model):
    """One row per taken slot: the unique constraint makes double booking impossible."""

    __tablename__ = "slot_holds"
    __table_args__ = (UniqueConstraint("session_id", "slot_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("reception_sessions.id"), index=True)
    slot_start: Mapped[datetime] = mapped_column(DateTime)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"),
                                            unique=True)
