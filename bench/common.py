"""Helpers shared by the benchmarks."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable

from sqlalchemy import create_engine, text


def summed(measure: Callable[[int], tuple[float, float]],
           pids: Iterable[int]) -> tuple[float, float]:
    """(CPU seconds, RSS MB) of several processes together, each read by ``measure``."""
    cpu = rss = 0.0
    for pid in pids:
        c, r = measure(pid)
        cpu, rss = cpu + c, rss + r
    return cpu, rss


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


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a server: SIGTERM, then SIGKILL if it is still there after ``timeout``."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
