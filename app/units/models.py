"""Administrative units (province, commune, ...) and agencies."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

LEVELS = ("province", "district", "commune")


class Unit(db.Model):
    """A unit of local government; levels are data so older three-level records fit."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20), index=True)
    division_type: Mapped[str] = mapped_column(String(40), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_accept: Mapped[bool] = mapped_column(Boolean, default=False)
    priority_jump: Mapped[int | None] = mapped_column(default=None)
    # Booking an online session here needs an identity verified through VNeID
    # (app/bookings/assurance.py); in person an officer checks the papers.
    requires_verified_identity: Mapped[bool] = mapped_column(Boolean, default=False,
                                                             server_default=false())

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")
    agencies: Mapped[list[Agency]] = relationship(back_populates="unit", order_by="Agency.code")

    @property
    def parent_code(self) -> str | None:
        return self.parent.code if self.parent else None

    def ancestor_ids(self) -> list[int]:
        """This unit's id and those of the units above it."""
        ids, unit = [], self
        while unit is not None:
            ids.append(unit.id)
            unit = unit.parent
        return ids

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "level": self.level,
                "parent_code": self.parent_code}


class Agency(db.Model):
    """A specialised agency (Sở, Ban, Thanh tra) of a unit; it receives follow-up tasks."""

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[Unit] = relationship(back_populates="agencies")

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "unit_code": self.unit.code}
