"""The live queue of a session, kept in the database so a restart loses no place."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sessions.queue import QueueState

from ..extensions import db


class RecordingStatus(StrEnum):
    """Where a recording stands; the ``recordings.status`` column stores these strings."""

    #: Chunks are still coming in.
    UPLOADING = "uploading"
    #: The file is complete, its size and SHA-256 recorded.
    STORED = "stored"


class QueueEntry(db.Model):
    __tablename__ = "queue_entries"
    __table_args__ = (
        UniqueConstraint("session_id", "ticket"),
        CheckConstraint("state IN ('booked','waiting','called','in_call','done','no_show')",
                        name="known_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("reception_sessions.id"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    ticket: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default=QueueState.BOOKED)
    priority_flags: Mapped[str] = mapped_column(String(100), default="")
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime)
    called_at: Mapped[datetime | None] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    recalls: Mapped[int] = mapped_column(default=0)
    requeued_at: Mapped[datetime | None] = mapped_column(DateTime)

    booking = relationship("Booking")


class QueueTransition(db.Model):
    """Every change of a queue entry, with its time (who was called when)."""

    __tablename__ = "queue_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("queue_entries.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Recording(db.Model):
    """A recording of one citizen's call (Decree 154/2026), uploaded in chunks by the host.

    The file lives under UPLOAD_DIR/recordings/ with a random name; ``sha256`` and
    ``size`` are set when the upload is finished, and also written to the audit log.
    """

    __tablename__ = "recordings"
    __table_args__ = (
        CheckConstraint("status IN ('uploading','stored')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("reception_sessions.id"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    # The browser's id for one MediaRecorder run: chunks of another run never mix in.
    take: Mapped[str] = mapped_column(String(40), default="")
    content_type: Mapped[str] = mapped_column(String(60), default="video/webm")
    status: Mapped[str] = mapped_column(String(10), default=RecordingStatus.UPLOADING)
    chunks: Mapped[int] = mapped_column(default=0)
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    stored_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def is_stored(self) -> bool:
        return self.status == RecordingStatus.STORED


class LivePresence(db.Model):
    """A citizen's socket in a session's waiting room, as every process sees it.

    Written when the citizen joins, marked ``left_at`` when the socket disconnects;
    the process holding the socket refreshes ``seen_at`` while it lives, so that the
    sockets of a process that died stop counting (app/live/presence.py)."""

    __tablename__ = "live_presence"
    __table_args__ = (UniqueConstraint("sid", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("reception_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    process: Mapped[str] = mapped_column(String(120))
    seen_at: Mapped[datetime] = mapped_column(DateTime)
    left_at: Mapped[datetime | None] = mapped_column(DateTime)


class CallInvite(db.Model):
    """A one-time link that lets one more person (an agency officer, an interpreter, a
    lawyer, a representative) into one case's call without an account (CONTRACT §10).

    Only the SHA-256 of the link's token is stored. The first browser that opens the
    link binds it (``browser_hash``: the hash of a key kept in that browser's cookie);
    any other browser, or any browser after ``expires_at``, is refused.
    """

    __tablename__ = "call_invites"
    __table_args__ = (
        CheckConstraint("role IN ('agency','interpreter','lawyer','representative')",
                        name="known_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("reception_sessions.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    browser_hash: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    joined_at: Mapped[datetime | None] = mapped_column(DateTime)
