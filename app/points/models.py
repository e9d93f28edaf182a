"""A unit's central video point and its satellite points (điểm cầu thành phần)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class PointKind(StrEnum):
    """The unit's own (central) point, or one elsewhere (a commune office)."""

    CENTRAL = "central"
    SATELLITE = "satellite"


class ReceptionPoint(db.Model):
    """A place with a computer, a camera and an officer, from which citizens join."""

    __tablename__ = "reception_points"
    __table_args__ = (
        CheckConstraint("kind IN ('central','satellite')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(10), default=PointKind.SATELLITE)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    unit = relationship("Unit", lazy="joined")

    def to_dict(self) -> dict:
        """The JSON of GET /api/v1/points (CONTRACT §10)."""
        return {"code": self.code, "name": self.name, "unit_code": self.unit.code,
                "address": self.address, "kind": self.kind}
