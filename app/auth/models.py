"""People, their roles scoped to units, and API tokens."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

ROLES = ("citizen", "secretary", "host", "deputy", "officer", "inspector", "admin",
         "operator")
STAFF_ROLES = ("secretary", "host", "deputy", "officer", "inspector", "admin", "operator")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    cccd: Mapped[str | None] = mapped_column(String(12))
    # A passport number, for those without a CCCD (sessions.identity.validate_passport).
    passport_number: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300), default="")
    birth_date: Mapped[date | None] = mapped_column(Date)
    priority_flags: Mapped[str] = mapped_column(String(100), default="")
    locale: Mapped[str | None] = mapped_column(String(5))
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    consent_data_at: Mapped[datetime | None] = mapped_column(DateTime)
    consent_recording_at: Mapped[datetime | None] = mapped_column(DateTime)
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    # Raised by a password change or reset and by "log out everywhere": every web
    # session and remember-me cookie carries the value it was signed in with, and one
    # with an older value no longer signs anyone in (app/auth/websessions.py).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    # When the person proved they hold ``phone`` with a code sent to it by SMS
    # (PHONE_CHECK, app/auth/recovery.py); None: not proven.
    phone_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Second factor (staff only): the TOTP secret encrypted with a key derived from
    # SECRET_KEY, and the last time step accepted, so that a code is never used twice.
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # The person asked for the deletion of their data (the account is closed at once);
    # anonymised_at is set when what the law let us keep has been anonymised too.
    deletion_requested_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Who vouched for the name and ID number (``vneid``: the national identity app,
    # through the public-service portal's OpenID Connect) and when; the account the
    # provider knows as ``oidc_subject`` at ``oidc_issuer`` (app/auth/vneid.py).
    identity_verified_via: Mapped[str | None] = mapped_column(String(20))
    identity_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="RoleAssignment.user_id")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    @property
    def role_names(self) -> list[str]:
        return sorted({r.role for r in self.roles})

    def has_role(self, *names: str) -> bool:
        return any(r.role in names for r in self.roles)

    @property
    def is_staff(self) -> bool:
        return self.has_role(*STAFF_ROLES)

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    @property
    def flags(self) -> frozenset[str]:
        return frozenset(f for f in self.priority_flags.split(",") if f)

    def to_dict(self) -> dict:
        return {"id": self.id, "full_name": self.full_name, "roles": self.role_names}


class RoleAssignment(db.Model):
    """A role of a person, scoped to a unit (and the units below it) or to an agency."""

    __tablename__ = "role_assignments"
    __table_args__ = (
        CheckConstraint("role IN ('citizen','secretary','host','deputy','officer',"
                        "'inspector','admin','operator')", name="known_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    deputy_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # An operator (role ``operator``) works one reception point; unit_id is its unit.
    point_id: Mapped[int | None] = mapped_column(ForeignKey("reception_points.id"), index=True)

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    unit = relationship("Unit", lazy="joined")
    agency = relationship("Agency", lazy="joined")
    deputy_of: Mapped[User | None] = relationship(foreign_keys=[deputy_of_id])
    point = relationship("ReceptionPoint", lazy="joined")


class ApiToken(db.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    label: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship()


class WebLogin(db.Model):
    """One sign-in on the web, named in its session and remember-me cookie: logging out
    ends it, so a copy of either cookie stops working (app/auth/websessions.py)."""

    __tablename__ = "web_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)


class RecoveryCode(db.Model):
    """A one-time code that replaces a TOTP code; only its SHA-256 is stored."""

    __tablename__ = "totp_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class OneTimeCode(db.Model):
    """A 6-digit code sent to a person for one ``purpose`` (a password reset, the check
    of a phone number at registration): only its HMAC is stored, it expires, and it
    allows a few tries. A new code for the same purpose replaces the previous one
    (app/auth/codes.py)."""

    __tablename__ = "one_time_codes"
    __table_args__ = (UniqueConstraint("user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(default=0)
