"""A database whose audit log was written with plain SHA-256 (before AUDIT_KEY) still
verifies after the migration, and new events chain to it with HMAC."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from datetime import datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app
from app.audit.services import check_chain, record_event
from app.extensions import db
from tests.conftest import _postgres_reachable, _postgres_url

BEFORE = "14d912e5f111"  # the last revision without audit_events.scheme


def _old_digest(prev_hash, at, actor_id, action, target, detail) -> str:
    """The rule of the log before the key, as it was written."""
    payload = json.dumps([prev_hash, at.isoformat(), actor_id, action, target, detail],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old-audit.sqlite3'}"
        return
    url = _postgres_url()
    if not os.environ.get("TEST_DATABASE_URL") or _postgres_reachable(url):
        pytest.skip("PostgreSQL skipped: TEST_DATABASE_URL unset or unreachable")
    base, name = url.rsplit("/", 1)
    name = f"{name}_old_audit"  # next to this run's database, never another run's
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{base}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def keep_logging():
    """Alembic's env.py applies alembic.ini's logging (fileConfig) to the root logger
    and the loggers it names: put things back for the tests that follow."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = [lg for lg in logging.root.manager.loggerDict.values()
               if isinstance(lg, logging.Logger)]
    states = [(lg, lg.disabled, lg.level, list(lg.handlers)) for lg in loggers]
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for lg, disabled, lg_level, lg_handlers in states:
        lg.disabled, lg.handlers[:] = disabled, lg_handlers
        lg.setLevel(lg_level)


def _write_old_events(count: int) -> None:
    prev = "0" * 64
    for n in range(count):
        at, detail = datetime(2026, 11, 1, 8, n), json.dumps({"n": n})
        digest = _old_digest(prev, at, None, "old", f"x:{n}", detail)
        db.session.execute(text(
            "INSERT INTO audit_events (at, actor_id, action, target, detail, prev_hash, hash) "
            "VALUES (:at, NULL, 'old', :target, :detail, :prev, :hash)"),
            {"at": at, "target": f"x:{n}", "detail": detail, "prev": prev, "hash": digest})
        prev = digest
    db.session.commit()


def test_old_sha256_events_verify_after_the_migration(empty_database, keep_logging):
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(revision=BEFORE)
        _write_old_events(3)
        upgrade()
        found = check_chain()
        assert (found.intact, found.checked, found.old_events) == (True, 3, 3)
        record_event("new")
        db.session.commit()
        found = check_chain()
        assert (found.intact, found.checked, found.old_events) == (True, 4, 3)
        db.session.remove()
        db.engine.dispose()
