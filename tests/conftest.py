"""Fixtures: app -> client -> factories, on SQLite and (when reachable) PostgreSQL.

Every test that uses the ``app`` fixture runs once per database backend. The schema
is created once per backend; each test leaves the tables empty for the next.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from tests import factories


def _own_database_per_worker() -> None:
    """Under ``pytest -n N`` (pytest-xdist) each worker but the first tests in a
    PostgreSQL database of its own, ``<name>_gwK``, created here when missing: the
    fixtures empty and rebuild the tables, which two workers cannot share."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER", ""), os.environ.get("TEST_DATABASE_URL")
    if worker in ("", "gw0") or not url or "://" not in url:
        return
    base, _slash, name = url.partition("?")[0].rpartition("/")
    own = f"{name}_{worker}"
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (own,)).fetchone() \
                    is None:
                conn.execute(f'CREATE DATABASE "{own}"')
    except Exception:  # noqa: BLE001 - unreachable: the fixtures skip or fail as usual
        return
    os.environ["TEST_DATABASE_URL"] = f"{base}/{own}"


_own_database_per_worker()
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
IN_CI = bool(os.environ.get("CI"))


def _postgres_url() -> str:
    url = TEST_DATABASE_URL
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _postgres_reachable(url: str) -> str | None:
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - reported as the skip reason
        return str(exc).splitlines()[0]


def pytest_report_header(config):
    if not TEST_DATABASE_URL:
        return "PostgreSQL: TEST_DATABASE_URL not set: PostgreSQL variants are SKIPPED"
    return f"PostgreSQL: {TEST_DATABASE_URL}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """The URL of a database with the full schema, per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        if not TEST_DATABASE_URL:
            pytest.skip("PostgreSQL skipped: TEST_DATABASE_URL is not set")
        url = _postgres_url()
        problem = _postgres_reachable(url)
        if problem:
            if IN_CI:
                pytest.fail(f"PostgreSQL unreachable in CI: {problem}")
            pytest.skip(f"PostgreSQL skipped: unreachable ({problem})")
    from app import create_app
    from app.extensions import db

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return url


def testing_app(database_url: str, upload_dir: str):
    """A testing application on ``database_url``, for the test client (``app``, and the
    security tests' module-wide ``secured``)."""
    from app import create_app

    application = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                              "UPLOAD_DIR": upload_dir, "SERVER_NAME": "localhost"})

    @application.before_request
    def _fresh_request_state():
        # Requests in a test share the test's app context and so its `g`: forget what an
        # earlier request (web or API) found out about its caller, and its locale.
        from flask import g

        for name in ("_login_user", "_flask_babel", "api_caller", "api_user", "api_token"):
            g.pop(name, None)

    return application


@pytest.fixture
def app(database_url, tmp_path):
    """A testing application bound to the backend's database, emptied afterwards."""
    from app.extensions import db

    application = testing_app(database_url, str(tmp_path / "uploads"))
    ctx = application.app_context()
    ctx.push()
    yield application
    db.session.rollback()
    db.session.remove()
    _empty_tables(db)
    db.engine.dispose()
    ctx.pop()


def _empty_tables(db) -> None:
    """Every table emptied, PostgreSQL's id sequences back to 1.

    DELETE rather than TRUNCATE: a test leaves a few rows, and TRUNCATE of 25 tables
    costs ~160 ms on PostgreSQL (new files, fsync) against ~13 ms for this, on every one
    of about a thousand PostgreSQL tests.
    """
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        for table in reversed(tables):
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
                              "WHERE c.relkind = 'S' "
                              "AND c.relnamespace = current_schema()::regnamespace"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app):
    """The factories of tests/factories.py, bound to the current app."""
    return factories


@pytest.fixture
def api(client):
    """Call the JSON API as someone: ``api.get(path, user=u)``."""
    return factories.ApiClient(client)


@pytest.fixture
def full_upload_disk(app, monkeypatch):
    """The disk of UPLOAD_DIR fills up: a file opened there for writing takes its first
    few bytes, then every write fails with ENOSPC, as on a full file system.
    ``full_upload_disk.clear()`` frees the disk again."""
    import builtins
    import errno
    import io
    from pathlib import Path
    from types import SimpleNamespace

    real_open = io.open
    root = Path(app.config["UPLOAD_DIR"]).resolve()
    state = SimpleNamespace(full=True, clear=lambda: setattr(state, "full", False))

    class FullFile(io.BufferedWriter):
        def write(self, data):
            room = max(0, 4 - self.tell())
            super().write(bytes(data)[:room])
            if len(data) > room:
                self.flush()
                raise OSError(errno.ENOSPC, "No space left on device")
            return len(data)

    def full_open(file, mode="r", *args, **kwargs):
        if (state.full and isinstance(file, str | Path) and any(m in mode for m in "wxa")
                and Path(file).resolve().is_relative_to(root)):
            return FullFile(real_open(file, mode.replace("b", "") + "b", buffering=0))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", full_open)
    monkeypatch.setattr(io, "open", full_open)
    return state


@pytest.fixture
def login(client):
    """``login(user)`` signs ``user`` in on ``client`` (factories.sign_in) and returns it."""

    def sign_in(user):
        factories.sign_in(client, user)
        return client

    return sign_in


@pytest.fixture
def place(make):
    """Province 08, one commune, both chairmen, a secretary and a deputy (make_place)."""
    return factories.make_place()


@pytest.fixture
def scene(make):
    """A unit with host and secretary, an online session and two citizens (build_scene)."""
    return factories.build_scene()


@pytest.fixture
def world(make):
    """Every role around one accepted case (build_world)."""
    return factories.build_world()
