"""Database engine settings: SQLite in WAL with foreign keys and BEGIN IMMEDIATE;
PostgreSQL connections that keep their prepared statements."""

from __future__ import annotations

import functools

from flask import Flask
from sqlalchemy import event


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def init_migrations(app: Flask) -> None:
    """Attach Flask-Migrate (``flask db ...``, ``flask upgrade-db``). Only command-line
    processes and tests call it: Alembic, Mako and Pygments weigh ~10 MB of memory in
    each web process that never migrates (docs/performance.md)."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    from .config import BASE_DIR
    from .extensions import db

    Migrate(app, db, directory=str(BASE_DIR / "migrations"),
            render_as_batch=True, compare_type=True)


def configure(app: Flask) -> None:
    """Engine options that depend on the backend."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if is_sqlite(url):
        # Python's sqlite3 would otherwise open transactions itself (DEFERRED);
        # we take that over to issue BEGIN IMMEDIATE (see install_sqlite_pragmas).
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", 30)
        connect_args["isolation_level"] = None
        options["connect_args"] = connect_args
        options.pop("pool_pre_ping", None)
        if url in ("sqlite://", "sqlite:///:memory:"):
            from sqlalchemy.pool import StaticPool

            options["poolclass"] = StaticPool
    else:
        options.setdefault("pool_size", app.config["DATABASE_POOL_SIZE"])
        options.setdefault("max_overflow", app.config["DATABASE_MAX_OVERFLOW"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def install_sqlite_pragmas(app: Flask, db) -> None:
    """WAL, foreign keys and write-intent transactions for every SQLite connection.

    BEGIN IMMEDIATE takes the write lock when the transaction starts, so two
    writers wait for each other (busy timeout) instead of failing with
    "database is locked" when a read transaction tries to become a write one.
    """
    if not is_sqlite(app.config["SQLALCHEMY_DATABASE_URI"]):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@functools.cache
def statement_keeping_connection():
    """psycopg's Connection, except that a rollback keeps the prepared statements.

    psycopg prepares a statement on a connection once it has run there five times
    (``prepare_threshold``): PostgreSQL then no longer parses and plans it at each
    execution, which for the API's token and session lookups was three quarters of
    their time on the server (planning 1.0–1.2 ms against 0.2 ms executing, on the
    benchmark machine). But at every ``ROLLBACK`` psycopg forgets the statements it
    prepared and its tally, in case the transaction had changed what they refer to; and
    every request that writes nothing ends in a rollback (each read, each refused
    booking, ``/healthz``), so behind SQLAlchemy's pool no statement was ever prepared.
    Web processes do not change the schema, so here a rollback keeps them. ``DROP``,
    ``ALTER`` and ``DISCARD`` still forget them, as in psycopg; migrations run in a
    process of their own (``flask upgrade-db``). docs/performance.md, fix 17.
    """
    import psycopg
    from psycopg.pq import TransactionStatus

    class Connection(psycopg.Connection):
        def rollback(self) -> None:
            if (self._num_transactions or self._tpc or self._pipeline
                    or self.pgconn.transaction_status == TransactionStatus.IDLE):
                super().rollback()  # psycopg's own refusals, and its no-op when idle
                return
            with self.lock:
                self.wait(self._exec_command(b"ROLLBACK"))

    return Connection


def install_postgres_connections(app: Flask, db) -> None:
    """PostgreSQL connections (psycopg 3) as :func:`statement_keeping_connection`, or
    without prepared statements when ``DATABASE_PREPARED_STATEMENTS`` is off."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg:"):
        return
    prepare = app.config["DATABASE_PREPARED_STATEMENTS"]
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect, _record, cargs, cparams):
        if not prepare:
            cparams["prepare_threshold"] = None
        return statement_keeping_connection().connect(*cargs, **cparams)
