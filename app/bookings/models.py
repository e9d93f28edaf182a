"""Bookings (each one a citizen's case), their history and attachments (slot holds are
the sessions': app/schedules/models.py)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..schedules.models import SlotHold  # noqa: F401  (a taken slot is its session's)
from ..timeutil import utcnow


# The columns stay String: a StrEnum member equals its string, so the stored values and
# every comparison with a plain string are unchanged.
class MatterType(StrEnum):
    """What the citizen brings (Luật Tiếp công dân): complaint, denunciation, proposal, report."""

    KHIEU_NAI = "khieu_nai"
    TO_CAO = "to_cao"
    KIEN_NGHI = "kien_nghi"
    PHAN_ANH = "phan_anh"


class MatterField(StrEnum):
    """The field the matter belongs to."""

    DAT_DAI = "dat_dai"
    MOI_TRUONG = "moi_truong"
    XAY_DUNG = "xay_dung"
    CHINH_SACH = "chinh_sach"
    CAN_BO = "can_bo"
    TU_PHAP = "tu_phap"
    KHAC = "khac"


class BookingStatus(StrEnum):
    """Where a booking stands (CONTRACT: the booking lifecycle)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    REDIRECTED = "redirected"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    SERVED = "served"
    NO_SHOW = "no_show"


MATTER_TYPES = tuple(MatterType)
# The type stored while the citizen is unsure: a reflection asks nothing of the law's
# complaint or denunciation procedures until a secretary classifies it.
UNSURE_DEFAULT_TYPE = MatterType.PHAN_ANH
MATTER_FIELDS = tuple(MatterField)
STATUSES = tuple(BookingStatus)
# Statuses in which the case is still open (it holds its slot and its matter key).
OPEN_STATUSES = (BookingStatus.PENDING, BookingStatus.ACCEPTED, BookingStatus.WAITLISTED)
# Open statuses that hold (or are owed) a slot of the session: not the waitlist.
SLOTTED_STATUSES = (BookingStatus.PENDING, BookingStatus.ACCEPTED)
#: ``join_from`` of a booking made from the citizen's own device (CONTRACT §10); any other
#: value is the code of a reception point.
HOME = "home"


class Booking(db.Model):
    """A citizen's case (vụ việc) booked into a reception session."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("group_size >= 1", name="group_size_positive"),
        CheckConstraint("status IN ('pending','accepted','refused','redirected','waitlisted',"
                        "'cancelled','served','no_show')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(20), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("reception_sessions.id"), index=True)
    slot_start: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), default=BookingStatus.PENDING, index=True)
    matter_type: Mapped[str] = mapped_column(String(12))
    matter_field: Mapped[str] = mapped_column(String(12))
    # The citizen chose "Tôi chưa rõ" on the web: matter_type holds UNSURE_DEFAULT_TYPE
    # until a secretary sets the type at triage (the API always sends a type).
    type_uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text)
    # sha256 of citizen, type, field and summary while the case is open, else NULL:
    # the unique constraint refuses a second open booking for the same matter.
    open_matter_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    group_size: Mapped[int] = mapped_column(Integer, default=1)
    representatives: Mapped[str] = mapped_column(Text, default="[]")
    earlier_case_ref: Mapped[str] = mapped_column(String(100), default="")
    join_from: Mapped[str] = mapped_column(String(10), default="home")
    satellite_point: Mapped[str] = mapped_column(String(200), default="")
    # The reception point the citizen joins from (CONTRACT §10); None: from home.
    point_id: Mapped[int | None] = mapped_column(ForeignKey("reception_points.id"), index=True)
    # Booked at a point's desk by its operator on the citizen's behalf: the operator, and
    # the name they typed (what the desk shows: never the stored name of a matched account).
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assisted_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    priority_flags: Mapped[str] = mapped_column(String(100), default="")
    consent_recording_at: Mapped[datetime | None] = mapped_column(DateTime)
    consent_denunciation_risk_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_ground: Mapped[str] = mapped_column(String(40), default="")
    redirect_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    redirect_to: Mapped[str] = mapped_column(String(300), default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When form 01/TCD (the written refusal notice) was first issued, for the grounds
    # that require it (sessions.rules.needs_written_notice).
    refusal_notice_issued_at: Mapped[datetime | None] = mapped_column(DateTime)
    ics_sequence: Mapped[int] = mapped_column(default=0)
    reminded_24h_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminded_1h_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    citizen = relationship("User", foreign_keys=[citizen_id])
    assisted_by = relationship("User", foreign_keys=[assisted_by_id])
    reception = relationship("ReceptionSession")
    redirect_agency = relationship("Agency")
    point = relationship("ReceptionPoint")
    history: Mapped[list[BookingEvent]] = relationship(
        back_populates="booking", order_by="BookingEvent.id", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="booking", order_by="Attachment.id")

    @property
    def join_from_code(self) -> str:
        """CONTRACT §10's ``join_from``: ``home`` or the code of the point."""
        return self.point.code if self.point is not None else HOME

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def takes_a_slot(self) -> bool:
        """Pending or accepted: the booking has, or is owed, a slot of its session."""
        return self.status in SLOTTED_STATUSES

    @property
    def is_denunciation(self) -> bool:
        return self.matter_type == MatterType.TO_CAO


class BookingEvent(db.Model):
    """A change of a booking's status, with its time and author."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"),
                                            index=True)
    status: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    booking: Mapped[Booking] = relationship(back_populates="history")


class IdempotencyKey(db.Model):
    """A client's Idempotency-Key (or a web form token) and the booking it produced."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Attachment(db.Model):
    """A file attached to a case, stored outside static/ under a random name."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"),
                                            index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="attachments")


class Rating(db.Model):
    """The citizen's rating of the service after the call."""

    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"),
                                            unique=True)
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# --- similar summaries on PostgreSQL (app/bookings/repeats.py) ---------------------------
#: What gives PostgreSQL an accent-insensitive trigram search of summaries: the pg_trgm
#: and unaccent extensions and an IMMUTABLE wrapper of unaccent (unaccent itself is only
#: STABLE, and an index needs an immutable expression), made before the table; then the
#: GIN index ``ix_bookings_summary_trgm`` on the unaccented summaries, declared here for
#: PostgreSQL only. The migration 7d1a4c8e2b60 makes the same; SQLite has a Python
#: fallback.
SUMMARY_SEARCH_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE OR REPLACE FUNCTION immutable_unaccent(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
    "AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, lower($1)) $$",
)


def _summary_search_ddl(target, connection, **kw) -> None:
    if connection.dialect.name != "postgresql":
        return
    for statement in SUMMARY_SEARCH_DDL:
        connection.exec_driver_sql(statement)


#: Indexes made by raw DDL, not declared in the metadata: comparisons of the models with
#: a migrated database leave them out (migrations/env.py, tests/test_migrations.py).
RAW_DDL_INDEXES = frozenset({"ix_bookings_summary_trgm"})
SUMMARY_SEARCH_INDEX = ("CREATE INDEX IF NOT EXISTS ix_bookings_summary_trgm ON bookings "
                        "USING gin (immutable_unaccent(summary) gin_trgm_ops)")


def _summary_search_index(target, connection, **kw) -> None:
    # Raw DDL rather than an Index with postgresql_* options: declaring those loads the
    # PostgreSQL dialect into every process, SQLite ones included (tests/scaleout).
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(SUMMARY_SEARCH_INDEX)


event.listen(Booking.__table__, "before_create", _summary_search_ddl)
event.listen(Booking.__table__, "after_create", _summary_search_index)
