"""Stress case of the live room: 1,000 citizens waiting in ONE session (not a test).

Run: ``.venv/bin/python -m bench.bench_stress`` (needs Node.js; ``npm ci`` in bench/ is run
when bench/node_modules is missing). In the same run, one after the other, the servers
get the same 1,000 citizens and one host from bench/stress_client.js (the official Node
``socket.io-client``, WebSocket only, spread over ``--procs`` Node processes):

* ``app``: the application as production runs it: ``gunicorn -c gunicorn.conf.py`` (one
  gevent worker with gevent-websocket, app/serving.py, ``SOCKETIO_ASYNC_MODE=gevent``, ``APP_ENV=production``) on a SQLite file
  (or PostgreSQL with ``--backend postgresql``) filled by ``flask seed-load --sessions 1
  --waiting 1000``; every citizen joins (checks in), then the host calls ``call_next``;
* ``python-socketio``: bench/py_ref_server.py, bare python-socketio under gunicorn with
  gevent-websocket's own worker (what the libraries give without the application's
  changes to the worker), sending the same ``queue`` payloads to the same per-citizen rooms;
* ``flask-socketio``: bench/flask_ref_server.py, the same through Flask-SocketIO alone (the
  framework the application is built on, without its code, database or templates);
* ``node``: bench/node_ref_server.js, Node's socket.io reference server, doing the same;
* ``app2``: the application scaled out: two such gunicorn processes on PostgreSQL
  (``BENCH_DATABASE_URL``) sharing a Redis message queue (``BENCH_REDIS_URL``), the Node
  processes' citizens dealt between them and the host on the first (no target: it shows
  what a call costs when half the session is on another process).

Per round (``--rounds`` after ``--warmup`` rounds): the time from the host's ``call_next``
until the LAST citizen has its new place (p50/p95), the host's ack, the server's CPU time
per round and its RSS (the worker process holding the connections; the gunicorn master is
counted apart). Targets: app p95 ≤ 2.5 × Node's p95 and ≤ 250 ms, app RSS ≤ 150 MB.
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
from pathlib import Path

import requests

from bench.bench_live import (
    BENCH,
    REDIS_URL,
    ROOT,
    VENV_BIN,
    _free_port,
    _percentiles,
    _tree,
    ensure_node,
)
from bench.common import recreate_postgres, stop, summed

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_stress")
SERVERS = ("app", "python-socketio", "flask-socketio", "node", "app2")
TICKS = os.sysconf("SC_CLK_TCK")


def _proc(pid: int) -> tuple[float, float]:
    """(CPU seconds, RSS MB) of one process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / TICKS
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return cpu, int(line.split()[1]) / 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0.0, 0.0


def _worker(pid: int) -> int:
    """The process that serves: gunicorn's (only) worker, or the process itself."""
    tree = _tree(pid)
    return tree[-1] if len(tree) > 1 else pid


def _wait_up(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"server did not start; see {log}:\n{log.read_text()[-2000:]}")


def _app_fixture(workdir: Path, waiting: int, backend: str) -> tuple[Path, dict]:
    """Schema and ``seed-load`` (development mode, as the CLI refuses it in production)."""
    if backend == "postgresql":
        url = recreate_postgres(PG_URL)
        if url is None:
            raise RuntimeError("PostgreSQL unreachable")
    else:
        url = f"sqlite:///{workdir / 'stress.sqlite3'}"
    env = dict(os.environ, DATABASE_URL=url, SCHEDULER="off", SECRET_KEY="bench-stress-secret",
               APP_ENV="development", INSTANCE_PATH=str(workdir), FLASK_APP="wsgi",
               PYTHONUNBUFFERED="1",
               # Every simulated citizen connects from 127.0.0.1: no limit per address.
               LIVE_ADDRESS_RATE="0")
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    subprocess.run([sys.executable, "-c", "from app import create_app; from app.extensions "
                    "import db; app = create_app(); app.app_context().push(); db.create_all()"],
                   cwd=ROOT, env=env, check=True)
    fixture = workdir / "load.json"
    subprocess.run([str(VENV_BIN / "flask"), "seed-load", "--sessions", "1", "--waiting",
                    str(waiting), "--out", str(fixture)], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return fixture, env


def _ref_fixture(workdir: Path, waiting: int) -> Path:
    fixture = workdir / "ref.json"
    fixture.write_text(json.dumps({"sessions": [{
        "id": 1, "host_token": "host",
        "citizen_tokens": [f"c{i}" for i in range(1, waiting + 1)]}]}))
    return fixture


def _start(server: str, port: int, env: dict, log: Path) -> subprocess.Popen:
    if server == "app":
        env = dict(env, APP_ENV="production", PORT=str(port), HOST="127.0.0.1",
                   SOCKETIO_ASYNC_MODE="gevent", LOG_LEVEL="warning",
                   AUDIT_KEY="bench-stress-audit-key")
        command = [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile",
                   "/dev/null", "bench.bench_live:gunicorn_app()"]
    elif server in ("python-socketio", "flask-socketio"):
        module = "py_ref_server" if server == "python-socketio" else "flask_ref_server"
        command = [str(VENV_BIN / "gunicorn"), "-k",
                   "geventwebsocket.gunicorn.workers.GeventWebSocketWorker", "-w", "1",
                   "--worker-connections", "5000", "-b", f"127.0.0.1:{port}",
                   "--log-level", "warning", f"bench.{module}:app"]
    else:
        command = ["node", str(BENCH / "node_ref_server.js"), str(port)]
    handle = open(log, "wb")  # noqa: SIM115 - the child keeps it; closed at exit
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle,
                               stderr=subprocess.STDOUT)
    _wait_up(process, port, log)
    return process


def run_server(server: str, args, workdir: Path) -> dict:
    if server == "app2":
        return _run_two(args, workdir)
    port = _free_port()
    if server == "app":
        fixture, env = _app_fixture(workdir, args.waiting, args.backend)
    else:
        fixture, env = _ref_fixture(workdir, args.waiting), dict(os.environ)
    log = workdir / f"{server}.log"
    process = _start(server, port, env, log)
    row: dict = {"server": server}
    try:
        worker = _worker(process.pid)
        row["rss_idle_mb"] = _proc(worker)[1]
        row.update(_drive([worker], [process.pid], fixture, f"http://127.0.0.1:{port}", args))
    finally:
        stop(process)
    return row


def _run_two(args, workdir: Path) -> dict:
    """The application as a province scales it out: two gunicorn processes on
    PostgreSQL sharing a Redis message queue, the citizens dealt between them and the
    host on the first, so that every call reaches half the citizens through the other
    process."""
    fixture, env = _app_fixture(workdir, args.waiting, "postgresql")
    env = dict(env, SOCKETIO_MESSAGE_QUEUE=REDIS_URL, RATELIMIT_STORAGE_URI="memory://",
               BENCH_SOCKETIO_CHANNEL=f"bench-stress-{os.getpid()}")
    ports = [_free_port(), _free_port()]
    processes = []
    row: dict = {"server": "app2"}
    try:
        for index, port in enumerate(ports):
            processes.append(_start("app", port, env, workdir / f"app2-{index}.log"))
        workers = [_worker(p.pid) for p in processes]
        row["rss_idle_mb"] = summed(_proc, workers)[1]
        row.update(_drive(workers, [p.pid for p in processes], fixture,
                          ",".join(f"http://127.0.0.1:{port}" for port in ports), args))
    finally:
        for process in processes:
            stop(process)
    return row


def _drive(workers: list[int], roots: list[int], fixture: Path, url: str, args) -> dict:
    client = subprocess.Popen(
        ["node", str(BENCH / "stress_client.js"), str(fixture), url,
         "--procs", str(args.procs), "--rounds", str(args.rounds), "--warmup", str(args.warmup),
         "--pause-ms", str(args.pause_ms)], cwd=BENCH, stdout=subprocess.PIPE, text=True)
    result: dict = {}
    calls, marks = [], {}
    for line in client.stdout:
        event = json.loads(line)
        kind = event["type"]
        if kind == "phase":
            marks[event["name"]] = (summed(_proc, workers), time.monotonic())
        elif kind == "call":
            calls.append(event)
        elif kind == "connected":
            result.update(clients=event["clients"], connect_s=event["ms"] / 1000,
                          rss_connected_mb=summed(_proc, workers)[1])
        elif kind == "joined":
            result.update(join_s=event["ms"] / 1000, join_p50=event["join_p50"],
                          join_p95=event["join_p95"])
        elif kind == "error":
            client.kill()
            raise RuntimeError(event["message"])
    client.wait()
    measured = [c for c in calls if not c["warmup"]]
    done = [c for c in measured if c["last_ms"] is not None]
    (cpu0, _), _t0 = marks["calls_start"]
    (cpu1, rss1), _t1 = marks["calls_end"]
    master = sum(_proc(p)[1] for root in roots for p in _tree(root) if p not in workers)
    result.update(rounds=len(measured), timeouts=len(measured) - len(done), rss_mb=rss1,
                  master_rss_mb=master, cpu_per_round_ms=1000 * (cpu1 - cpu0) / max(len(measured), 1),
                  last_ms=_percentiles([c["last_ms"] for c in done]),
                  ack_ms=_percentiles([c["ack_ms"] for c in done]))
    return result


def verdict(rows: list[dict]) -> dict:
    """The stress targets from the rows of one run."""
    by = {r["server"]: r for r in rows}
    app, node = by.get("app"), by.get("node")
    out: dict = {}
    if app and app["last_ms"][1] is not None:
        out["p95_ms"] = app["last_ms"][1]
        out["p95_ok"] = app["last_ms"][1] <= 250 and not app["timeouts"]
        if node and node["last_ms"][1]:
            out["ratio_to_node"] = app["last_ms"][1] / node["last_ms"][1]
            out["p95_ok"] = out["p95_ok"] and out["ratio_to_node"] <= 2.5
        out["rss_mb"] = app["rss_mb"]
        out["rss_ok"] = app["rss_mb"] <= 150
    return out


def _fmt(value, digits=0) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def print_table(rows: list[dict], args) -> None:
    print(f"\nStress: {args.waiting} citizens waiting in one session, {args.rounds} calls "
          f"({args.warmup} warm-up calls not counted), clients in {args.procs} Node processes\n")
    head = ("server", "connect s", "join all s", "ack p50/p95 ms", "last citizen p50/p95 ms",
            "CPU/round ms", "RSS idle/connected/end MB", "timeouts")
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for r in rows:
        print(" | ".join([
            r["server"], _fmt(r["connect_s"], 1), _fmt(r["join_s"], 1),
            f"{_fmt(r['ack_ms'][0])} / {_fmt(r['ack_ms'][1])}",
            f"{_fmt(r['last_ms'][0])} / {_fmt(r['last_ms'][1])}", _fmt(r["cpu_per_round_ms"]),
            f"{_fmt(r['rss_idle_mb'])} / {_fmt(r['rss_connected_mb'])} / {_fmt(r['rss_mb'])}",
            f"{r['timeouts']}/{r['rounds']}"]))
    v = verdict(rows)
    if v:
        print(f"\napp p95 {_fmt(v['p95_ms'])} ms, {_fmt(v.get('ratio_to_node'), 2)} × Node "
              f"(target ≤ 2.5 × and ≤ 250 ms): {'PASS' if v['p95_ok'] else 'MISS'}; "
              f"RSS {_fmt(v['rss_mb'])} MB (target ≤ 150): {'PASS' if v['rss_ok'] else 'MISS'}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--waiting", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--procs", type=int, default=4, help="Node client processes")
    p.add_argument("--pause-ms", type=int, default=400, help="pause between rounds")
    p.add_argument("--servers", default=",".join(SERVERS))
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    return p


def run(args) -> list[dict]:
    ensure_node()
    rows = []
    for server in [s.strip() for s in args.servers.split(",") if s.strip()]:
        print(f"stress: {server} …", flush=True)
        workdir = Path(tempfile.mkdtemp(prefix=f"bench-stress-{server}-"))
        try:
            rows.append(run_server(server, args, workdir))
        except Exception:
            print(f"stress: {server} failed; its files are kept in {workdir}", flush=True)
            raise
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    rows = run(args)
    print_table(rows, args)


if __name__ == "__main__":
    main()
