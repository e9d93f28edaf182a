"""Recording and verifying the audit log.

Each event is sealed with HMAC-SHA256, keyed by ``AUDIT_KEY`` (kept outside the
database), over the previous event's seal and its own fields: whoever can write the
database but has not the key can neither change, insert nor delete an event, nor
re-seal the whole log, without :func:`check_chain` noticing. Events written before
the key existed keep their plain SHA-256 hash (scheme ``sha256``): they are checked
by that old rule, and only as the start of the chain, before the first HMAC event.
A cut tail (the newest events deleted) is found against a signed head kept outside
the database (app/audit/heads.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event as orm_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..extensions import db
from ..timeutil import utcnow
from .models import SCHEME_HMAC, SCHEME_SHA256, AuditEvent

GENESIS = "0" * 64
# session.info key: (root transaction, hash of the last event it appended).
_TAIL = "audit_chain_tail"


def audit_key() -> bytes:
    """The chain's key (``AUDIT_KEY``), as bytes."""
    return current_app.config["AUDIT_KEY"].encode()


def _payload(prev_hash: str, at, actor_id, action: str, target: str, detail: str) -> bytes:
    return json.dumps([prev_hash, at.isoformat(), actor_id, action, target, detail],
                      ensure_ascii=False, separators=(",", ":")).encode()


def seal(prev_hash: str, at, actor_id, action: str, target: str, detail: str, *,
         scheme: str = SCHEME_HMAC, key: bytes | None = None) -> str:
    """The hash of an event chained to ``prev_hash``: HMAC-SHA256 under ``key`` (the
    configured key by default), or plain SHA-256 for the old ``sha256`` events."""
    payload = _payload(prev_hash, at, actor_id, action, target, detail)
    if scheme == SCHEME_SHA256:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key or audit_key(), payload, hashlib.sha256).hexdigest()


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
                       prev_hash=prev_hash, scheme=SCHEME_HMAC,
                       hash=seal(prev_hash, at, actor_id, action, target, text))
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


@dataclass
class ChainCheck:
    """What :func:`check_chain` found."""

    intact: bool
    broken_id: int | None  # the first event that fails, when not intact
    checked: int  # events found sound before it (all of them when intact)
    old_events: int  # sound events under the old SHA-256 rule
    last_id: int  # the last sound event (0: none)
    last_hash: str


def _expected(event: AuditEvent, prev_hash: str, key: bytes) -> str | None:
    if event.scheme not in (SCHEME_SHA256, SCHEME_HMAC):
        return None
    return seal(prev_hash, event.at, event.actor_id, event.action, event.target,
                event.detail, scheme=event.scheme, key=key)


def check_chain(key: bytes | None = None) -> ChainCheck:
    """Walk the chain from the first event: each must chain to the previous one and
    carry its seal; an old SHA-256 event after an HMAC one is a forgery (the old rule
    is only the start of the chain)."""
    key = key or audit_key()
    prev_hash, count, old, last_id, sealed = GENESIS, 0, 0, 0, False
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        legacy = event.scheme == SCHEME_SHA256
        if event.prev_hash != prev_hash or (legacy and sealed) or \
                event.hash != _expected(event, prev_hash, key):
            return ChainCheck(False, event.id, count, old, last_id, prev_hash)
        sealed = sealed or not legacy
        prev_hash, count, old, last_id = event.hash, count + 1, old + legacy, event.id
    return ChainCheck(True, None, count, old, last_id, prev_hash)


def verify_chain() -> tuple[bool, int | None, int]:
    """Walk the chain: (intact, id of the first broken event or None, events checked)."""
    found = check_chain()
    return found.intact, found.broken_id, found.checked
