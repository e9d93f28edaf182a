"""app/backup.py: ``flask backup`` and ``flask restore``, drilled: a backup restored into a
fresh database passes ``flask audit verify`` and the application serves its data.

SQLite always; PostgreSQL (``pg_dump``/``pg_restore``) into a temporary database
created next to TEST_DATABASE_URL and dropped afterwards.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from app.audit.services import record_event
from app.extensions import db


@pytest.fixture
def fresh_database(app, database_url, tmp_path):
    """The URL of an empty database of the same backend; dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    base, _sep, name = database_url.rpartition("/")
    target = f"{name}_restore"
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target}"'))
    yield f"{base}/{target}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def recorded(app, make):
    """A booking with its audit trail, committed."""
    unit = make.make_unit()
    host = make.make_user("host", unit=unit)
    citizen = make.make_user("citizen")
    booking = make.make_booking(make.make_reception(unit, host), citizen)
    for index in range(3):
        record_event("booking_note", actor=citizen, target=f"booking:{booking.id}", n=index)
    token = make.token_for(citizen)
    return booking.id, booking.tracking_code, token


def _cli(application, *args: str):
    return application.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def test_a_backup_restored_into_a_fresh_database_verifies_and_serves(
        app, recorded, fresh_database, tmp_path):
    from app import create_app

    booking_id, tracking_code, token = recorded
    db.session.remove()
    archive = tmp_path / "backup.db"
    made = _cli(app, "backup", "--out", str(archive))
    assert made.exit_code == 0, made.output
    assert archive.stat().st_size > 0 and str(archive) in made.output
    restored = _cli(app, "restore", str(archive), "--into", fresh_database)
    assert restored.exit_code == 0, restored.output

    copy = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": fresh_database})
    verified = _cli(copy, "audit", "verify")
    assert verified.exit_code == 0 and "intact: 3 events" in verified.output
    with copy.app_context():
        answer = copy.test_client().get(f"/api/v1/bookings/{booking_id}",
                                        headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
        assert answer.get_json()["tracking_code"] == tracking_code
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_a_database_that_holds_data(app, recorded, tmp_path, database_url):
    archive = tmp_path / "backup.db"
    db.session.remove()
    assert _cli(app, "backup", "--out", str(archive)).exit_code == 0
    refused = app.test_cli_runner().invoke(args=["restore", str(archive), "--into",
                                                 database_url])
    assert refused.exit_code != 0
    assert "not empty" in refused.output
