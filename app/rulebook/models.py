"""One version of one legal rule, with the dates it is in force."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

KINDS = ("frequency", "deadline", "refusal_ground", "delegation")


class RuleVersion(db.Model):
    """A rule of ``kind`` for ``code`` (a level, a deadline, a ground code, ...).

    ``value`` holds the rule's figures: ``{"min_days", "per"}`` for a frequency,
    ``{"working_days"}`` for a deadline, ``{"text", "written_notice", "arises"}`` for a
    refusal ground, ``{"allowed"}`` for delegation to a deputy.
    """

    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    code: Mapped[str] = mapped_column(String(40))
    value: Mapped[dict] = mapped_column(JSON, default=dict)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    to_verify: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
