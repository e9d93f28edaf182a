"""Helpers shared by the benchmarks."""

from __future__ import annotations

from sqlalchemy import create_engine, text


def recreate_postgres(url: str) -> str | None:
    """Drop and create the benchmark database; None when PostgreSQL is unreachable."""
    base, _sep, name = url.rpartition("/")
    try:
        engine = create_engine(base.replace("postgresql://", "postgresql+psycopg://")
                               + "/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - reported, then skipped
        print(f"PostgreSQL skipped: {str(exc).splitlines()[0]}")
        return None
    return url
