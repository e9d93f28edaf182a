"""An append-only audit log, chained by HMAC-SHA256 (app/audit/services.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

#: Events written before the HMAC chain: plain SHA-256, checked by their old rule.
SCHEME_SHA256 = "sha256"
#: Every event since: HMAC-SHA256 keyed by AUDIT_KEY.
SCHEME_HMAC = "hmac-sha256"


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str] = mapped_column(String(80), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # How ``hash`` was computed; old events keep "sha256" (they form the chain's start).
    scheme: Mapped[str] = mapped_column(String(16), default=SCHEME_HMAC)
