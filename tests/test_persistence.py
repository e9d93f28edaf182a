"""Database connections: PostgreSQL keeps its prepared statements across rollbacks."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, insert, select, text

from app import create_app
from app.extensions import db
from app.persistence import statement_keeping_connection
from app.units.models import Unit

NEXT = text("SELECT CAST(:n AS integer) + 1 AS next")
PREPARED = text("SELECT statement FROM pg_prepared_statements")


def _read_and_roll_back(conn, times: int = 8) -> None:
    """As a request that writes nothing: one read, then the rollback that ends it."""
    for n in range(times):
        assert conn.execute(NEXT, {"n": n}).scalar() == n + 1
        conn.rollback()


def _on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def test_a_read_repeated_in_rolled_back_transactions_is_prepared(app):
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        if not _on_postgresql():  # SQLite: the standard module, untouched
            assert type(raw).__module__ == "sqlite3"
            return
        assert isinstance(raw, statement_keeping_connection())
        _read_and_roll_back(conn)
        assert [s for s in conn.execute(PREPARED).scalars() if "CAST($1 AS integer)" in s]


def test_psycopg_alone_forgets_them_at_every_rollback(app):
    """Why the connection class exists: should psycopg keep them one day, it can go."""
    if not _on_postgresql():
        assert not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
        return
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url) as conn:
        for n in range(8):
            conn.execute("SELECT CAST(%s AS integer) + 1", (n,))
            conn.rollback()
        assert conn.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0] == 0


def test_a_rollback_still_undoes_the_writes(app):
    with db.engine.connect() as conn:
        _read_and_roll_back(conn, times=6)
        conn.execute(insert(Unit).values(code="77", name="Đơn vị tạm", level="province"))
        conn.rollback()
        assert conn.execute(select(func.count()).select_from(Unit)).scalar() == 0
        conn.execute(insert(Unit).values(code="78", name="Đơn vị giữ", level="province"))
        conn.commit()
        assert conn.execute(select(Unit.code)).scalars().all() == ["78"]


def test_a_schema_change_still_forgets_them(app):
    if not _on_postgresql():
        return
    with db.engine.connect() as conn:
        _read_and_roll_back(conn)
        assert conn.execute(PREPARED).scalars().all()
        conn.execute(text("DROP TABLE IF EXISTS no_such_table_here"))
        assert conn.execute(PREPARED).scalars().all() == []
        conn.rollback()


def test_psycopg_refusals_are_kept(app):
    """A rollback inside psycopg's own transaction block is still refused."""
    if not _on_postgresql():
        return
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        conn.commit()
        with pytest.raises(psycopg.ProgrammingError), raw.transaction():
            raw.rollback()


def test_prepared_statements_can_be_turned_off(database_url):
    """Behind a pooler in transaction mode (DATABASE_PREPARED_STATEMENTS=off)."""
    other = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                        "DATABASE_PREPARED_STATEMENTS": False})
    with other.app_context():
        try:
            with db.engine.connect() as conn:
                if not _on_postgresql():
                    return
                _read_and_roll_back(conn)
                conn.execute(NEXT, {"n": 1})
                conn.execute(NEXT, {"n": 2})
                assert conn.execute(PREPARED).scalars().all() == []
                conn.rollback()
        finally:
            db.engine.dispose()
