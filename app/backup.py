"""Backups of the database and their restore (docs/deployment.md §12, docs/reliability.md).

PostgreSQL: ``pg_dump`` in its custom format, restored with ``pg_restore`` (the client
tools of the server's major version or newer). SQLite: the online backup API, which
copies a consistent database while the site runs (WAL included). A restore goes only
into an empty database: it never mixes a backup with live data.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from .persistence import is_sqlite


class BackupError(Exception):
    """A backup or a restore could not be done; the message says why."""


def libpq_url(url: str) -> str:
    """The URL as PostgreSQL's own tools read it (no ``+psycopg`` driver part)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def engine_url(url: str) -> str:
    """The URL for SQLAlchemy: PostgreSQL through psycopg 3 (as app/config.py)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_path(url: str) -> str:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return path


def backup_database(url: str, out: Path) -> Path:
    """Write a backup of the database at ``url`` to ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if is_sqlite(url):
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(out)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return out
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(out), libpq_url(url)])
    return out


def restore_database(archive: Path, url: str) -> None:
    """Restore ``archive`` (made by :func:`backup_database`) into the empty database at
    ``url``."""
    if not archive.is_file():
        raise BackupError(f"{archive}: no such backup")
    engine = create_engine(engine_url(url))
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(f"the target database is not empty ({len(tables)} tables): "
                          "restore into a new database")
    if is_sqlite(url):
        source = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    _run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", libpq_url(url),
          str(archive)])


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (postgresql-client)") from exc
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")
