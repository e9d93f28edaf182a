"""Public pages under load: the schedule page and ``/api/v1/sessions`` at 50 connections.

Run: ``.venv/bin/python -m bench.bench_pages`` (not a test; needs Node.js for the load
generator, bench/http_load.js). It

1. builds a database (a temporary SQLite file, or PostgreSQL with ``--backend postgresql``:
   ``BENCH_DATABASE_URL``, default ``postgresql://postgres@127.0.0.1:5432/bench_pages``,
   recreated): ``seed-demo`` (province 08 and its 124 communes) plus a year of sessions
   for every commune (2nd and 4th Wednesday, one host each), ~3,000 published sessions;
2. starts the application as production runs it: ``gunicorn -c gunicorn.conf.py wsgi:app``
   (one gevent worker), ``APP_ENV=production``, ``SCHEDULER=off``, access log to a file;
3. for each URL, runs bench/http_load.js: ``--connections`` keep-alive connections in a
   closed loop (each sends its next GET when the answer is read) for ``--seconds``, after a
   one-second warm-up; reports requests/s, p50/p95/p99 and the generator's own CPU use.

URLs: ``/healthz`` (the floor), ``/lich-tiep?province=08&date=<a 2nd Wednesday>`` (the
public week page, ~125 sessions) and ``/api/v1/sessions?unit=08&from=..&to=..`` (a year of
the province's sessions as JSON). Target (performance issue): page p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.bench_live import BENCH, ROOT, VENV_BIN, _free_port, ensure_node
from bench.bench_stress import _proc, _wait_up, _worker
from bench.common import recreate_postgres, stop

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_pages")
PAGE_TARGET_MS = 50


def _second_wednesday(today: date) -> date:
    """The second Wednesday of next month (commune sessions fall on it)."""
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first + timedelta(days=(2 - first.weekday()) % 7 + 7)


SETUP = r'''
import sys
from datetime import date
from app import create_app
from app.extensions import db
app = create_app()
with app.app_context():
    db.create_all()
    from app.auth.models import RoleAssignment, User
    from app.schedules.services import create_schedule
    from app.seed import seed_demo
    from app.timeutil import local_today
    from app.units.models import Unit
    seed_demo()
    today = local_today()
    until = date(today.year + 1, today.month, min(today.day, 28))
    communes = db.session.scalars(db.select(Unit).where(Unit.level != "province")
                                  .order_by(Unit.code)).all()
    count = 0
    for i, unit in enumerate(communes):
        if db.session.scalar(db.select(db.func.count()).select_from(RoleAssignment)
                             .where(RoleAssignment.unit_id == unit.id,
                                    RoleAssignment.role == "host")):
            continue
        host = User(email=f"host{i}@pages.test", full_name=f"Chủ tịch {i}", password_hash="x")
        host.roles.append(RoleAssignment(role="host", unit_id=unit.id))
        db.session.add(host)
        db.session.flush()
        schedule, _ = create_schedule({
            "unit_code": unit.code, "host_id": host.id, "rrule": "FREQ=MONTHLY;BYDAY=2WE,4WE",
            "start_time": "08:00", "duration_minutes": 210, "slot_minutes": 20,
            "mode": "online", "valid_from": today.isoformat(),
            "valid_until": until.isoformat(), "holiday_policy": "shift"}, actor=None)
        count += len(schedule.sessions)
    db.session.commit()
    print(count)
'''


def _database(workdir: Path, backend: str) -> str:
    if backend == "postgresql":
        url = recreate_postgres(PG_URL)
        if url is None:
            raise RuntimeError("PostgreSQL unreachable")
        return url
    return f"sqlite:///{workdir / 'pages.sqlite3'}"


def urls(today: date) -> dict[str, str]:
    day = _second_wednesday(today)
    return {
        "healthz": "/healthz",
        "page": f"/lich-tiep?province=08&date={day.isoformat()}",
        "api": f"/api/v1/sessions?unit=08&from={today.isoformat()}"
               f"&to={(today + timedelta(days=365)).isoformat()}",
    }


def run(args) -> dict:
    ensure_node()
    workdir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    env = dict(os.environ, DATABASE_URL=_database(workdir, args.backend), SCHEDULER="off",
               SECRET_KEY="bench-pages-secret", INSTANCE_PATH=str(workdir), APP_ENV="development",
               PYTHONUNBUFFERED="1")
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    setup = subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True)
    sessions = int(setup.stdout.strip().splitlines()[-1])
    port = _free_port()
    log = workdir / "server.log"
    server_env = dict(env, APP_ENV="production", PORT=str(port), HOST="127.0.0.1",
                      LOG_LEVEL="warning", AUDIT_KEY="bench-pages-audit-key")
    handle = open(log, "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                              cwd=ROOT, env=server_env, stdout=handle, stderr=subprocess.STDOUT)
    result: dict = {"backend": args.backend, "connections": args.connections,
                    "seconds": args.seconds, "commune_sessions": sessions, "urls": {}}
    try:
        _wait_up(server, port, log)
        worker = _worker(server.pid)
        from app.timeutil import local_today

        for name, path in urls(local_today()).items():
            cpu0, t0 = _proc(worker)[0], time.monotonic()
            load = subprocess.run(
                ["node", str(BENCH / "http_load.js"), f"http://127.0.0.1:{port}{path}",
                 "--connections", str(args.connections), "--seconds", str(args.seconds)],
                cwd=BENCH, check=True, capture_output=True, text=True)
            row = json.loads(load.stdout)
            cpu1, rss = _proc(worker)
            row.update(path=path, rss_mb=rss,
                       server_cpu_percent=100 * (cpu1 - cpu0) / (time.monotonic() - t0))
            result["urls"][name] = row
            print(f"{name}: {row['rps']:.0f} req/s, p50 {row['p50']:.1f} ms, p95 "
                  f"{row['p95']:.1f} ms, statuses {row['statuses']}, client CPU "
                  f"{row['client_cpu_percent']:.0f} %", flush=True)
    finally:
        stop(server)
        handle.close()
    shutil.rmtree(workdir, ignore_errors=True)
    health = result["urls"]["healthz"]["rps"]
    for row in result["urls"].values():
        row["ratio_to_healthz"] = row["rps"] / health if health else None
    return result


def print_table(result: dict) -> None:
    print(f"\nPublic pages, {result['backend']}, gunicorn -c gunicorn.conf.py (1 gevent "
          f"worker), {result['connections']} keep-alive connections, closed loop, "
          f"{result['seconds']} s each\n")
    head = ("URL", "requests/s", "÷ /healthz", "p50 ms", "p95 ms", "p99 ms", "non-200",
            "server CPU %", "client CPU %")
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for r in result["urls"].values():
        bad = sum(v for k, v in r["statuses"].items() if k != "200")
        print(" | ".join([r["path"], f"{r['rps']:.0f}", f"{r['ratio_to_healthz']:.2f}",
                          f"{r['p50']:.1f}", f"{r['p95']:.1f}", f"{r['p99']:.1f}", str(bad),
                          f"{r['server_cpu_percent']:.0f}", f"{r['client_cpu_percent']:.0f}"]))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--seconds", type=float, default=8)
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    return p


def main(argv: list[str] | None = None) -> None:
    print_table(run(parser().parse_args(argv)))


if __name__ == "__main__":
    main()
