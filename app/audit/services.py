"""Recording and verifying the audit log."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from ..extensions import db
from ..timeutil import utcnow
from .models import AuditEvent

GENESIS = "0" * 64


def _digest(prev_hash: str, at, actor_id, action: str, target: str, detail: str) -> str:
    payload = json.dumps([prev_hash, at.isoformat(), actor_id, action, target, detail],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def record_event(action: str, *, actor=None, target: str = "", **detail) -> AuditEvent:
    """Append an event chained to the previous one (flushes; the caller commits).

    On PostgreSQL the table is locked for the append so two writers cannot fork the
    chain; SQLite transactions already start with the write lock (BEGIN IMMEDIATE).
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("LOCK TABLE audit_events IN EXCLUSIVE MODE"))
    last = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    prev_hash = last or GENESIS
    at = utcnow().replace(microsecond=0)
    actor_id = getattr(actor, "id", actor)
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    event = AuditEvent(at=at, actor_id=actor_id, action=action, target=target, detail=text,
                       prev_hash=prev_hash,
                       hash=_digest(prev_hash, at, actor_id, action, target, text))
    db.session.add(event)
    db.session.flush()
    return event


def verify_chain() -> tuple[bool, int | None, int]:
    """Walk the chain: (intact, id of the first broken event or None, events checked)."""
    prev_hash, count = GENESIS, 0
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        expected = _digest(prev_hash, event.at, event.actor_id, event.action, event.target,
                           event.detail)
        if event.prev_hash != prev_hash or event.hash != expected:
            return False, event.id, count
        prev_hash, count = event.hash, count + 1
    return True, None, count
