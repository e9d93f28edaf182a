"""Signed heads of the audit log: where the chain ended, kept outside the database.

Every hour the job ``audit_head`` writes one line to the application log (and appends
it to ``AUDIT_HEAD_FILE`` when set)::

    AUDIT_HEAD {"at": "...", "id": 1234, "mac": "<seal of event 1234>", "sig": "..."}

``sig`` is HMAC-SHA256 under ``AUDIT_KEY`` of the other three fields. Deleting the
newest events leaves a chain that is intact but no longer reaches the head, and
re-sealing the log (with another key, or as old SHA-256 events) changes the seal of
the head's event: ``flask audit verify`` checks both against the last head.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..timeutil import iso_local, utcnow
from .models import SCHEME_HMAC, AuditEvent
from .services import GENESIS, ChainCheck, audit_key

MARK = "AUDIT_HEAD"
log = logging.getLogger("app.audit.head")
# The heads are the point of this logger: written whatever LOG_LEVEL says of the rest.
log.setLevel(logging.INFO)


def _signature(head: dict, key: bytes) -> str:
    text = json.dumps([MARK, head["id"], head["mac"], head["at"]], separators=(",", ":"))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def current_head(key: bytes | None = None) -> dict:
    """The signed head of the chain now: the last event's id and seal (0 and the
    genesis value when the log is empty)."""
    last = db.session.execute(select(AuditEvent.id, AuditEvent.hash)
                              .order_by(AuditEvent.id.desc()).limit(1)).first()
    head = {"at": iso_local(utcnow()), "id": last.id if last else 0,
            "mac": last.hash if last else GENESIS}
    head["sig"] = _signature(head, key or audit_key())
    return head


def head_line(head: dict) -> str:
    return f"{MARK} {json.dumps(head, sort_keys=True)}"


def write_head() -> dict:
    """Write the current signed head to the log, and to ``AUDIT_HEAD_FILE`` if set."""
    head = current_head()
    line = head_line(head)
    log.info(line)
    path = current_app.config.get("AUDIT_HEAD_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")
    return head


def _valid(head) -> dict | None:
    if not isinstance(head, dict) or isinstance(head.get("id"), bool) or \
            not isinstance(head.get("id"), int) or \
            not all(isinstance(head.get(k), str) for k in ("at", "mac", "sig")):
        return None
    return head


def _head_of(line: str) -> dict | None:
    """The head in one line: ``AUDIT_HEAD {...}`` in a text log, the same inside the
    ``msg`` of a JSON log line, or the head's JSON alone."""
    line = line.strip()
    if line.startswith("{"):
        try:
            entry = json.loads(line)
        except ValueError:
            return None
        if not isinstance(entry, dict) or "msg" not in entry:
            return _valid(entry)
        line = str(entry["msg"])
    _before, mark, rest = line.partition(MARK + " ")
    if not mark:
        return None
    try:
        return _valid(json.loads(rest))
    except ValueError:
        return None


def parse_head(text: str) -> dict | None:
    """The last signed head in ``text`` (a log in either LOG_FORMAT, or one head)."""
    found = None
    for line in text.splitlines():
        if MARK in line or line.lstrip().startswith("{"):
            found = _head_of(line) or found
    return found


def head_problem(head: dict, chain: ChainCheck, key: bytes | None = None) -> str | None:
    """Why an intact ``chain`` does not match the signed ``head``, or None."""
    if not hmac.compare_digest(head["sig"], _signature(head, key or audit_key())):
        return ("the signed head does not verify with AUDIT_KEY: a wrong key, or a "
                "head that was not written by this site")
    if head["id"] == 0:
        return None
    event = db.session.get(AuditEvent, head["id"])
    if event is None:
        return (f"event {head['id']} of the signed head of {head['at']} is missing (the "
                f"chain ends at event {chain.last_id}): the newest events were deleted")
    if event.hash != head["mac"] or event.scheme != SCHEME_HMAC:
        return (f"event {head['id']} no longer carries the seal signed at {head['at']}: "
                "the log was re-sealed")
    return None
