"""Follow-up tasks given to agencies after a reception, their history and report files."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sessions.tasks import OPEN_STATUSES, TaskStatus, is_overdue

from ..extensions import db
from ..timeutil import utcnow


class Task(db.Model):
    """A follow-up task (nhiệm vụ) of a case for an agency, with its due date.

    The status follows sessions/tasks.py; "overdue" is derived from ``due_date``.
    The ``reminded_*``, ``escalated_at`` and ``apology_*`` columns are set by
    conditional updates so that the scheduled jobs act once however often they run.
    """

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("status IN ('assigned','in_progress','done','accepted','returned')",
                        name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"),
                                            index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default=TaskStatus.ASSIGNED, index=True)
    result: Mapped[str] = mapped_column(Text, default="")
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    reported_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reminded_3d_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminded_1d_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)
    apology_stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    apology_at: Mapped[datetime | None] = mapped_column(DateTime)

    booking = relationship("Booking")
    agency = relationship("Agency")
    created_by = relationship("User", foreign_keys=[created_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    events: Mapped[list[TaskEvent]] = relationship(
        back_populates="task", order_by="TaskEvent.id", cascade="all, delete-orphan")
    attachments: Mapped[list[TaskAttachment]] = relationship(
        back_populates="task", order_by="TaskAttachment.id", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        """Still with the agency (not reported, or returned)."""
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: date) -> bool:
        return is_overdue(self.status, self.due_date, today)


class TaskEvent(db.Model):
    """A change of a task's status, with its author, time and note."""

    __tablename__ = "task_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(12), default="")
    to_status: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    task: Mapped[Task] = relationship(back_populates="events")


class TaskAttachment(db.Model):
    """A file an officer attached to a report (PDF/JPEG/PNG), stored under a random name."""

    __tablename__ = "task_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    task: Mapped[Task] = relationship(back_populates="attachments")
