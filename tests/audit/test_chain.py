"""The audit log's HMAC chain: many appends in one transaction read the tail once;
every kind of tampering is found; old SHA-256 events still verify."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, event, func, select, update

from app.audit.models import SCHEME_HMAC, SCHEME_SHA256, AuditEvent
from app.audit.services import GENESIS, check_chain, record_event, seal, verify_chain
from app.extensions import db


def _tail_reads(statements: list[str]) -> int:
    return sum("FROM audit_events ORDER BY audit_events.id DESC" in " ".join(s.split())
               for s in statements)


def test_many_appends_in_one_transaction_read_the_tail_once(app):
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        record_event("first")
        db.session.commit()
        statements.clear()
        for n in range(5):
            record_event("many", target=f"x:{n}", n=n)
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert _tail_reads(statements) == 1
    assert sum(s.startswith("LOCK TABLE audit_events") for s in statements) == (
        1 if db.engine.dialect.name == "postgresql" else 0)
    assert verify_chain() == (True, None, 6)


def test_a_rolled_back_savepoint_does_not_fork_the_chain(app):
    record_event("before")
    try:
        with db.session.begin_nested():
            record_event("undone")
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    record_event("after")
    db.session.commit()
    record_event("next transaction")
    db.session.rollback()
    record_event("last")
    db.session.commit()
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["before", "after", "last"]
    assert verify_chain() == (True, None, 3)
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 3


# --- the HMAC chain: tampering of every kind is found --------------------------------

def _events(n: int = 5) -> list[AuditEvent]:
    events = [record_event("probe", target=f"x:{i}", n=i) for i in range(n)]
    db.session.commit()
    return events


def _reseal(key: bytes | None = None, scheme: str = SCHEME_HMAC,
            marked: str | None = None) -> None:
    """What someone with the database but not the key can do: recompute every seal
    (by ``scheme``, the rows saying ``marked``)."""
    prev = GENESIS
    for row in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        row.prev_hash, row.scheme = prev, marked or scheme
        row.hash = prev = seal(prev, row.at, row.actor_id, row.action, row.target,
                               row.detail, scheme=scheme, key=key)
    db.session.commit()


def test_a_clean_chain_is_intact_and_sealed_with_hmac(app):
    events = _events()
    found = check_chain()
    assert (found.intact, found.checked, found.old_events) == (True, 5, 0)
    assert found.last_id == events[-1].id and found.last_hash == events[-1].hash
    assert {e.scheme for e in events} == {SCHEME_HMAC}
    plain = seal(events[1].prev_hash, events[1].at, None, "probe", "x:1", events[1].detail,
                 scheme=SCHEME_SHA256)
    assert events[1].hash != plain  # not a hash anyone can recompute


@pytest.mark.parametrize("change", ["edit", "insert", "delete"])
def test_an_edited_inserted_or_deleted_event_breaks_the_chain(app, change):
    events = _events()
    victim = events[2]
    if change == "edit":
        db.session.execute(update(AuditEvent).where(AuditEvent.id == victim.id)
                           .values(target="x:20"))
    elif change == "delete":
        db.session.execute(delete(AuditEvent).where(AuditEvent.id == victim.id))
    else:
        db.session.add(AuditEvent(at=victim.at, action="forged", target="", detail="{}",
                                  prev_hash=victim.hash, hash="f" * 64, scheme=SCHEME_HMAC))
    db.session.commit()
    found = check_chain()
    assert found.intact is False
    assert found.broken_id == (events[3].id if change == "delete" else
                               victim.id if change == "edit" else events[-1].id + 1)


def test_a_chain_resealed_with_another_key_is_broken(app):
    first = _events()[0]
    _reseal(key=b"a key that is not AUDIT_KEY")
    assert check_chain().broken_id == first.id


def test_a_chain_resealed_with_plain_sha256_is_broken(app):
    first = _events()[0]
    _reseal(scheme=SCHEME_SHA256, marked=SCHEME_HMAC)
    assert check_chain().broken_id == first.id


def test_old_sha256_events_verify_as_the_start_of_the_chain_only(app):
    _events(3)
    _reseal(scheme=SCHEME_SHA256)  # a log written before the key existed
    record_event("after the switch")
    db.session.commit()
    found = check_chain()
    assert (found.intact, found.checked, found.old_events) == (True, 4, 3)
    late = record_event("forged as old")
    db.session.flush()
    late.scheme = SCHEME_SHA256
    late.hash = seal(late.prev_hash, late.at, None, late.action, "", late.detail,
                     scheme=SCHEME_SHA256)
    db.session.commit()
    assert check_chain().broken_id == late.id
