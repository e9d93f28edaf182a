"""Benchmark of the live rooms on a busy morning (not a test).

Run: ``.venv/bin/python -m bench.bench_live`` (needs Node.js and ``npm ci`` in bench/,
which the script runs when bench/node_modules is missing). For each server mode it

1. creates a fresh SQLite database (a temporary file) and runs
   ``flask --app wsgi seed-load --sessions 50 --waiting 20``;
2. starts the server: ``threading`` = ``python wsgi.py`` (the embedded default,
   simple-websocket), ``gevent`` = ``gunicorn -c gunicorn.conf.py`` as production runs
   it (one gevent worker with gevent-websocket, app/serving.py) with
   ``SOCKETIO_ASYNC_MODE=gevent``;
3. connects 1,000 citizens and 50 hosts with the official Node ``socket.io-client``
   (bench/live_client.js, WebSocket only, one connection each), joins them, and has
   every host call the next citizen every few seconds;
4. measures, per call, the ack and the time until the last citizen of that session
   whose place changed has its new ``queue`` event (p50/p95 over all calls), and the
   server's CPU time and RSS from /proc.

``gevent2`` runs two such gunicorn processes sharing a Redis queue (``BENCH_REDIS_URL``,
default ``redis://127.0.0.1:6379/0``, on a channel of the benchmark's own); the Node client
deals citizens and hosts to the two processes in turn, so most queue messages cross Redis.
CPU and RSS are then the sum over both processes (masters included).

Options: ``--sessions 50 --waiting 20 --interval-ms 3000 --rounds 12 --modes
threading,gevent,gevent2`` (default ``gevent,gevent2``), ``--backend postgresql`` (the
database ``BENCH_DATABASE_URL``, default ``bench_live``, dropped and recreated; SQLite by
default). ``--province`` is a province's morning: 125 sessions × 20 citizens + 125 hosts
on two processes behind Redis, on PostgreSQL; each process's RSS is given too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench.common import recreate_postgres, stop, summed

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_live")


def gunicorn_app():
    """The WSGI app for gunicorn, with the /live handlers registered before create_app.

    ``BENCH_SOCKETIO_CHANNEL`` gives the Redis queue a channel of its own (Redis pub/sub
    ignores the database number), so that a benchmark never talks to other processes
    using the same Redis server.
    """
    import app.live.events  # noqa: F401
    from app.extensions import socketio
    from wsgi import app

    channel = os.environ.get("BENCH_SOCKETIO_CHANNEL")
    manager = getattr(socketio.server, "manager", None)
    if channel and hasattr(manager, "channel"):
        manager.channel = channel  # before the first connection starts the listener
    return app


def ensure_node() -> None:
    """Install the pinned Node packages (bench/package-lock.json) when they are missing."""
    if not all((BENCH / "node_modules" / name).exists() for name in ("socket.io-client",
                                                                      "socket.io")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (gunicorn's master and worker)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _usage(pid: int) -> tuple[float, float]:
    """(CPU seconds, RSS MB) of the process tree."""
    cpu = rss = 0.0
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / TICKS
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) / 1024
        except (OSError, IndexError, ValueError):
            continue
    return cpu, rss


def _env(url: str, workdir: Path, mode: str, port: int) -> dict:
    return dict(os.environ, DATABASE_URL=url, SCHEDULER="off",
                SECRET_KEY="bench-live-secret", APP_ENV="development", PORT=str(port),
                INSTANCE_PATH=str(workdir), SOCKETIO_ASYNC_MODE=mode,
                FLASK_APP="wsgi", PYTHONUNBUFFERED="1",
                # Every simulated citizen connects from 127.0.0.1: no limit per address.
                LIVE_ADDRESS_RATE="0")


def _seed(workdir: Path, sessions: int, waiting: int, env: dict) -> tuple[Path, float]:
    """A fresh schema and the load fixture; returns (fixture file, seed-load seconds)."""
    subprocess.run([sys.executable, "-c", "from app import create_app; from app.extensions "
                    "import db; app = create_app(); app.app_context().push(); db.create_all()"],
                   cwd=ROOT, env=env, check=True)
    out = workdir / "load.json"
    started = time.monotonic()
    subprocess.run([str(VENV_BIN / "flask"), "seed-load", "--sessions", str(sessions),
                    "--waiting", str(waiting), "--out", str(out)], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return out, time.monotonic() - started


REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def _servers(mode: str, ports: list[int], env: dict) -> list[subprocess.Popen]:
    """``threading``: ``python wsgi.py``; ``gevent``: ``gunicorn -c gunicorn.conf.py``;
    ``gevent2``: two such processes sharing a Redis queue (``BENCH_REDIS_URL``)."""
    processes = []
    for port in ports:
        if mode.startswith("gevent"):
            command = [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py",
                       "--access-logfile", "/dev/null", "bench.bench_live:gunicorn_app()"]
            penv = dict(env, PORT=str(port), HOST="127.0.0.1", LOG_LEVEL="warning",
                        SOCKETIO_ASYNC_MODE="gevent")
            if mode == "gevent2":
                penv.update(SOCKETIO_MESSAGE_QUEUE=REDIS_URL,
                            RATELIMIT_STORAGE_URI="memory://",
                            BENCH_SOCKETIO_CHANNEL=f"bench-live-{os.getpid()}")
        else:
            command = [sys.executable, "-c", "import runpy, app.live.events; "
                       "runpy.run_path('wsgi.py', run_name='__main__')"]
            penv = dict(env, PORT=str(port))
        processes.append(subprocess.Popen(command, cwd=ROOT, env=penv,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    deadline = time.monotonic() + 60
    for port in ports:
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                for process in processes:
                    process.kill()
                raise RuntimeError(f"{mode} server did not start")
            time.sleep(0.3)
    return processes


def _percentiles(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def run_mode(mode: str, args) -> dict:
    """Seed, serve, drive with Node, measure; returns one row of the table."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-live-{mode}-"))
    ports = [_free_port() for _ in range(2 if mode == "gevent2" else 1)]
    url = f"sqlite:///{workdir / 'live.sqlite3'}"
    if args.backend == "postgresql":
        url = recreate_postgres(PG_URL)
        if url is None:
            raise RuntimeError("PostgreSQL unreachable")
    env = _env(url, workdir, "gevent" if mode == "gevent2" else mode, ports[0])
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    fixture, seed_seconds = _seed(workdir, args.sessions, args.waiting, env)
    servers = _servers(mode, ports, env)
    row = {"mode": mode, "seed_s": seed_seconds, "processes": len(servers),
           "backend": args.backend}
    try:
        row.update(_drive([s.pid for s in servers], fixture, ports, args))
    finally:
        for server in servers:  # a worker holding thousands of sockets may not stop in time
            stop(server)
        shutil.rmtree(workdir, ignore_errors=True)
    return row


def _drive(pids: list[int], fixture: Path, ports: list[int], args) -> dict:
    client = subprocess.Popen(
        ["node", str(BENCH / "live_client.js"), str(fixture),
         ",".join(f"http://127.0.0.1:{port}" for port in ports),
         "--interval-ms", str(args.interval_ms), "--rounds", str(args.rounds)],
        cwd=BENCH, stdout=subprocess.PIPE, text=True)
    calls, result, marks = [], {}, {}
    for line in client.stdout:
        event = json.loads(line)
        kind = event["type"]
        if kind == "phase":
            marks[event["name"]] = (summed(_usage, pids), time.monotonic())
        elif kind == "call":
            calls.append(event)
        elif kind == "connected":
            result.update(clients=event["clients"], connect_s=event["ms"] / 1000)
            result["rss_connected_mb"] = summed(_usage, pids)[1]
        elif kind == "joined":
            result.update(join_p50=event["join_p50"], join_p95=event["join_p95"])
        elif kind == "error":
            client.kill()
            raise RuntimeError(event["message"])
    client.wait()
    (cpu0, _), t0 = marks["calls_start"]
    (cpu1, rss1), t1 = marks["calls_end"]
    # Each process's RSS at the end: its gunicorn worker(s), its master apart.
    result["rss_per_process_mb"] = [sum(_usage(p)[1] for p in _tree(pid) if p != pid)
                                    for pid in pids]
    result["master_rss_mb"] = sum(_usage(pid)[1] - w for pid, w in
                                  zip(pids, result["rss_per_process_mb"], strict=True))
    measured = [c for c in calls if c["k"] > args.warmup]
    done = [c for c in measured if c["last_ms"] is not None]
    result.update(
        calls=len(measured), timeouts=len(measured) - len(done), rss_mb=rss1,
        cpu_per_call_ms=1000 * (cpu1 - cpu0) / max(len(calls), 1),
        cpu_percent=100 * (cpu1 - cpu0) / max(t1 - t0, 1e-9))
    for key in ("ack_ms", "last_ms", "after_ack_ms"):
        result[key] = _percentiles([c[key] for c in done])
    return result


def _fmt(value, digits=0) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def print_table(rows: list[dict], args) -> None:
    print(f"\nLive rooms: {args.sessions} sessions x {args.waiting} citizens + "
          f"{args.sessions} hosts, a call every {args.interval_ms} ms per host, "
          f"{args.rounds} calls per host ({args.warmup} warm-up calls not counted)\n")
    head = ("mode", "seed s", "connect s", "join p50/p95 ms", "ack p50/p95 ms",
            "last citizen p50/p95 ms", "after ack p50/p95", "CPU/call ms", "CPU %", "RSS MB",
            "timeouts")
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for r in rows:
        def pair(key: str, r=r) -> str:
            return f"{_fmt(r[key][0])} / {_fmt(r[key][1])}"

        print(" | ".join([
            r["mode"], _fmt(r["seed_s"], 1), _fmt(r["connect_s"], 1),
            f"{_fmt(r['join_p50'])} / {_fmt(r['join_p95'])}", pair("ack_ms"), pair("last_ms"),
            pair("after_ack_ms"), _fmt(r["cpu_per_call_ms"], 1), _fmt(r["cpu_percent"]),
            _fmt(r["rss_mb"]) + " (" + " + ".join(_fmt(x) for x in r["rss_per_process_mb"])
            + " per worker)", f"{r['timeouts']}/{r['calls']}"]))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=50)
    p.add_argument("--waiting", type=int, default=20)
    p.add_argument("--interval-ms", type=int, default=3000)
    p.add_argument("--rounds", type=int, default=12)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--modes", default="gevent,gevent2",
                   help="comma-separated: threading, gevent, gevent2")
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--province", action="store_true",
                   help="125 sessions x 20 citizens + 125 hosts, two processes + Redis, "
                        "PostgreSQL (other options still apply after it)")
    return p


def province(argv: list[str] | None = None) -> argparse.Namespace:
    """The options of a province's morning (``--province``), then ``argv`` over them."""
    return parser().parse_args(["--sessions", "125", "--waiting", "20", "--modes", "gevent2",
                                "--backend", "postgresql", *(argv or [])])


def run(args) -> list[dict]:
    ensure_node()
    rows = []
    for mode in args.modes.split(","):
        print(f"running {mode} …", flush=True)
        rows.append(run_mode(mode.strip(), args))
    return rows


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if args.province:
        args = province([a for a in (argv if argv is not None else sys.argv[1:])
                         if a != "--province"])
    print_table(run(args), args)


if __name__ == "__main__":
    main()
