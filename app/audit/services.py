"""Recording and verifying the audit log."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import event as orm_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..extensions import db
from ..timeutil import utcnow
from .models import AuditEvent

GENESIS = "0" * 64
# session.info key: (root transaction, hash of the last event it appended).
_TAIL = "audit_chain_tail"


def _digest(prev_hash: str, at, actor_id, action: str, target: str, detail: str) -> str:
    payload = json.dumps([prev_hash, at.isoformat(), actor_id, action, target, detail],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _chain_tail() -> str:
    """The hash the next event chains to.

    The first append of a transaction locks the table on PostgreSQL (SQLite
    transactions already start with the write lock: BEGIN IMMEDIATE) and reads the
    last hash; later appends of the same transaction hold that lock still and chain
    to the hash remembered in ``session.info``, so a request or job that records many
    events pays the lock and the read once.
    """
    session = db.session()
    tail = session.info.get(_TAIL)
    if tail is not None and tail[0] is session.get_transaction():
        return tail[1]
    # Rows the caller added are written with the event (one flush, not two): no event
    # is ever pending here, record_event flushes each one it adds.
    with session.no_autoflush:
        if db.engine.dialect.name == "postgresql":
            session.execute(db.text("LOCK TABLE audit_events IN EXCLUSIVE MODE"))
        last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return last or GENESIS


def record_event(action: str, *, actor=None, target: str = "", **detail) -> AuditEvent:
    """Append an event chained to the previous one (flushes; the caller commits).

    On PostgreSQL the table is locked for the append so two writers cannot fork the
    chain (see :func:`_chain_tail`).
    """
    prev_hash = _chain_tail()
    at = utcnow().replace(microsecond=0)
    actor_id = getattr(actor, "id", actor)
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    event = AuditEvent(at=at, actor_id=actor_id, action=action, target=target, detail=text,
                       prev_hash=prev_hash,
                       hash=_digest(prev_hash, at, actor_id, action, target, text))
    session = db.session()
    session.add(event)
    session.flush()
    session.info[_TAIL] = (session.get_transaction(), event.hash)
    return event


@orm_event.listens_for(Session, "after_soft_rollback")
def _forget_tail(session, _previous_transaction) -> None:
    """A rollback, even of a SAVEPOINT, may remove appended events and release the
    table lock taken inside it: the next append reads the tail again."""
    session.info.pop(_TAIL, None)


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
