"""Alembic migrations build exactly the schema the models describe, on every backend."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db
from tests.conftest import _postgres_reachable, _postgres_url


def _fresh_url(kind: str, tmp_path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    url = _postgres_url()
    if not os.environ.get("TEST_DATABASE_URL") or _postgres_reachable(url):
        pytest.skip("PostgreSQL skipped: TEST_DATABASE_URL unset or unreachable")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS test_migrations WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE test_migrations"))
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/test_migrations"


def _declared(obj, name, type_, reflected, compare_to) -> bool:
    """Everything but the indexes made by raw DDL (app/bookings/models.py)."""
    from app.bookings.models import RAW_DDL_INDEXES

    return not (type_ == "index" and name in RAW_DDL_INDEXES)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrade_matches_models_and_downgrades(kind, tmp_path):
    url = _fresh_url(kind, tmp_path)
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": _declared})
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
