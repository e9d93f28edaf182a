"""The minutes (biên bản) of a case, the chairman's conclusion and their versions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Outcome(StrEnum):
    """A case's outcome; the ``outcome`` columns of ``minutes`` and ``minutes_versions``
    store these strings (NULL: none recorded yet)."""

    #: Thụ lý: accepted for settlement.
    THU_LY = "thu_ly"
    #: Hướng dẫn: the citizen is guided to the competent body.
    HUONG_DAN = "huong_dan"
    #: Chuyển đơn: the petition is forwarded.
    CHUYEN_DON = "chuyen_don"
    #: Trả lời trực tiếp: answered on the spot.
    TRA_LOI = "tra_loi"


OUTCOMES = tuple(Outcome)


class Minutes(db.Model):
    """The current text of a case's minutes; ``version`` grows by one with each change."""

    __tablename__ = "minutes"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('thu_ly','huong_dan','chuyen_don',"
                        "'tra_loi')", name="known_outcome"),
        CheckConstraint("version >= 1", name="positive_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"),
                                            unique=True)
    content: Mapped[str] = mapped_column(Text, default="")
    conclusion: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(default=1)
    # When an outcome was first recorded: the citizen's answer (Law Art 28.1).
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    booking = relationship("Booking")
    updated_by = relationship("User")
    versions: Mapped[list[MinutesVersion]] = relationship(
        back_populates="minutes", order_by="MinutesVersion.id", cascade="all, delete-orphan")


class MinutesVersion(db.Model):
    """Who changed the minutes, when, and the text they left (one row per saved change;
    quick successive autosaves by the same person are folded into one row)."""

    __tablename__ = "minutes_versions"
    __table_args__ = (UniqueConstraint("minutes_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"),
                                            index=True)
    version: Mapped[int]
    content: Mapped[str] = mapped_column(Text, default="")
    conclusion: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(12))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    minutes: Mapped[Minutes] = relationship(back_populates="versions")
    author = relationship("User")
