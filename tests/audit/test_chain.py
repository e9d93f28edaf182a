"""The audit log's hash chain when a transaction appends many events (read the tail once)."""

from __future__ import annotations

from sqlalchemy import event, func, select

from app.audit.models import AuditEvent
from app.audit.services import record_event, verify_chain
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
