"""Benchmark of booking under a rush: 200 citizens, one session of 20 slots, all at once.

Run: ``.venv/bin/python -m bench.bench_booking`` (not a test). For SQLite (a temporary
file) and, when reachable, PostgreSQL (a database it recreates: ``BENCH_DATABASE_URL``,
default ``postgresql://postgres@127.0.0.1:5432/bench_booking``) it

1. prepares the database through the app factory: a unit, its host, one session of
   20 slots per round, 200 citizens and their API tokens;
2. starts the real server on a free port (``SCHEDULER=off``) as each backend runs in
   earnest: SQLite in the embedded server (``python wsgi.py``, threads), PostgreSQL
   in production's (``gunicorn -c gunicorn.conf.py wsgi:app``, one gevent worker,
   ``APP_ENV=production``; ``--server`` chooses otherwise);
3. per round, releases 200 clients at once (bench/rush_client.js, Node), each on its own
   new connection, posting ``POST /api/v1/bookings`` without ``slot_start`` (first free
   slot), and checks that exactly 20 are booked (201) and 180 refused (409);
4. measures ``GET /healthz`` the same way on the same server (per round, 200 clients
   each opening its own connection and sending one request, all at once): the ratio
   says what booking costs over a bare request.

Booking and ``/healthz`` rounds alternate, so that both endpoints are measured in the
same minutes on a machine whose speed drifts; the ratio's spread over the rounds is
printed beside it. Before the measured rounds, ``--warmup`` rounds (default 1) of each
run the same rush unmeasured, as the page benchmark warms up for a second: a server that has
just started opens its database connections and compiles and prepares its statements
during its first requests, which a server running for days has long done. The warm-up
booking round books a session of its own (exactly N booked is checked there too), and
its figures are printed, so that the cost of a cold start stays visible.

Options: ``--rounds N`` (default 10), ``--warmup N`` (1), ``--clients N`` (200),
``--slots N`` (20), ``--backend sqlite|postgresql|both``,
``--server auto|embedded|production``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select

from bench.common import recreate_postgres, stop

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_DATABASE_URL",
                        "postgresql://postgres@127.0.0.1:5432/bench_booking")


def _prepare(url: str, clients: int, slots: int, rounds: int) -> tuple[list[str], list[int]]:
    """Schema, unit, host, one session per round, citizens and their tokens."""
    from app import create_app
    from app.extensions import db

    app = create_app({"APP_ENV": "development", "SQLALCHEMY_DATABASE_URI": _driver(url),
                      "SECRET_KEY": "bench", "SCHEDULER": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        session_ids = _sessions(slots, rounds)
        tokens = _citizens(clients)
        db.session.commit()
        db.engine.dispose()
    return tokens, session_ids


def _sessions(slots: int, rounds: int) -> list[int]:
    """A province, its host and one online session of ``slots`` slots per round."""
    from app.auth.models import RoleAssignment, User
    from app.extensions import db
    from app.schedules.models import ReceptionSession
    from app.timeutil import utcnow
    from app.units.models import Unit

    unit = Unit(code="08", name="Tỉnh Tuyên Quang", level="province")
    db.session.add(unit)
    db.session.flush()
    host = User(email="host@bench.test", full_name="Chủ tịch", password_hash="x")
    host.roles.append(RoleAssignment(role="host", unit_id=unit.id))
    db.session.add(host)
    db.session.flush()
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=10)
    receptions = []
    for round_no in range(rounds):
        begin = starts + timedelta(days=round_no)
        receptions.append(ReceptionSession(
            unit_id=unit.id, host_id=host.id, starts_at=begin, slot_minutes=20,
            ends_at=begin + timedelta(minutes=20 * slots), mode="online", kind="adhoc"))
    db.session.add_all(receptions)
    db.session.flush()
    return [r.id for r in receptions]


def _citizens(clients: int) -> list[str]:
    """``clients`` citizens (no password hashing: they use tokens) and their tokens."""
    from app.auth.models import RoleAssignment, User
    from app.auth.services import issue_token
    from app.extensions import db
    from app.timeutil import utcnow

    tokens = []
    for n in range(clients):
        citizen = User(email=f"c{n}@bench.test", phone=f"+8491{n:07d}",
                       full_name=f"Công Dân {n}", password_hash="x",
                       address=f"Số {n} đường Chiến Thắng, Tuyên Quang",
                       cccd=f"008190{n % 1_000_000:06d}",  # the identity to book
                       consent_data_at=utcnow(), consent_recording_at=utcnow())
        citizen.roles.append(RoleAssignment(role="citizen"))
        db.session.add(citizen)
        db.session.flush()
        tokens.append(issue_token(citizen, 24))
    return tokens


def _driver(url: str) -> str:
    """psycopg 3 for PostgreSQL, as the application's configuration does."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_for(url: str, choice: str) -> str:
    """``embedded`` or ``production``: the server this backend runs in (``auto``)."""
    if choice != "auto":
        return choice
    return "embedded" if url.startswith("sqlite") else "production"


def _start_server(url: str, port: int, log_path: Path, server: str) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, PORT=str(port), SCHEDULER="off",
               APP_ENV="development", SECRET_KEY="bench", HOST="127.0.0.1")
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    if server == "production":
        env.update(APP_ENV="production", LOG_LEVEL="warning", AUDIT_KEY="bench-audit-key")
        command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
                   "wsgi:app"]
    else:
        command = [sys.executable, "wsgi.py"]
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process below
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    _stop(process)
    raise RuntimeError(f"the server did not start; see {log_path}")


def _stop(process: subprocess.Popen) -> None:
    stop(process, timeout=10)
    process.log.close()  # type: ignore[attr-defined]


def _rush(url: str, method: str, requests_: list[dict]) -> tuple[float, list[float],
                                                                list[int], float]:
    """One rush by bench/rush_client.js (Node): every client released at once on its own
    new connection, one request each. Returns the wall time (s), every latency (s), every
    status and the generator's CPU time (s). A Node process, not 200 Python threads, so
    that the generator takes little of the two cores the server needs."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
        json.dump({"url": url, "method": method, "requests": requests_}, spec)
    try:
        done = subprocess.run(["node", str(ROOT / "bench" / "rush_client.js"), spec.name],
                              capture_output=True, text=True, check=True, timeout=300)
    finally:
        os.unlink(spec.name)
    result = json.loads(done.stdout)
    return (result["wall_ms"] / 1000, [ms / 1000 for ms in result["latencies_ms"]],
            result["statuses"], result["cpu_ms"] / 1000)


def _booking_requests(tokens: list[str], session_id: int, round_label: str) -> list[dict]:
    return [{"headers": {"Authorization": f"Bearer {token}"},
             "body": {"session_id": session_id, "consents": {"recording": True},
                      "matter": {"type": "kien_nghi", "field": "dat_dai",
                                 "summary": f"Kiến nghị số {index}, {round_label}."}}}
            for index, token in enumerate(tokens)]


def _quantiles(latencies: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000


def _held(url: str, session_id: int) -> int:
    from app.bookings.models import SlotHold

    engine = create_engine(_driver(url))
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(SlotHold.__table__)
                             .where(SlotHold.session_id == session_id)).scalar()
    engine.dispose()
    return count


def _booking_round(url: str, base: str, tokens: list[str], session_id: int, slots: int,
                   label: str) -> tuple[float, list[float], bool, float]:
    """One rush on ``session_id``: (wall time, latencies, exactly N booked, generator CPU).
    ``label`` names the round and keeps its matters distinct from those of the rounds
    before (a citizen's open matter may not be booked twice)."""
    wall, lat, statuses, used = _rush(f"{base}/api/v1/bookings", "POST",
                                      _booking_requests(tokens, session_id, label))
    booked, refused, held = statuses.count(201), statuses.count(409), _held(url, session_id)
    exact = booked == held == slots and refused == len(tokens) - slots
    other = {code: statuses.count(code) for code in set(statuses) - {201, 409}}
    print(f"{label}: {len(statuses)} POST in {wall:.2f} s, {booked} × 201, "
          f"{refused} × 409, {held} slot holds"
          f"{f', other answers {other} (0 = no answer)' if other else ''} -> "
          f"{f'exactly {slots} booked' if exact else 'WRONG'}")
    return wall, lat, exact, used


def _health_round(base: str, clients: int) -> tuple[float, list[float], list[int], float]:
    """The same load shape as a booking round: every client opens its own connection
    and sends one request, all released at once."""
    return _rush(f"{base}/healthz", "GET", [{} for _ in range(clients)])


def run_backend(name: str, url: str, args) -> None:
    server_kind = server_for(url, args.server)
    print(f"\n== {name}: {args.clients} clients, {args.slots} slots, {args.rounds} rounds, "
          f"{server_kind} server ==")
    tokens, session_ids = _prepare(url, args.clients, args.slots, args.warmup + args.rounds)
    warmup_ids, session_ids = session_ids[:args.warmup], session_ids[args.warmup:]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        server = _start_server(url, port, Path(tmp) / "server.log", server_kind)
        try:
            ok = True
            for number, session_id in enumerate(warmup_ids, start=1):
                wall, lat, exact, _cpu = _booking_round(url, base, tokens, session_id,
                                                        args.slots, f"warm-up {number}")
                ok &= exact
                since = " from the server's start" if number == 1 else ""
                print(f"warm-up {number}, not measured: {len(lat) / wall:.1f} POST/s{since}")
                _health_round(base, len(tokens))
            # Each booking round is followed by a /healthz round, so that both endpoints
            # are measured in the same minutes: the speed of a shared machine drifts, and
            # all bookings first, then all /healthz, put that drift into the ratio.
            post = {"wall": 0.0, "lat": [], "cpu": 0.0}
            health = {"wall": 0.0, "lat": [], "cpu": 0.0, "statuses": []}
            ratios = []
            for number, session_id in enumerate(session_ids, start=1):
                wall, lat, exact, used = _booking_round(url, base, tokens, session_id,
                                                        args.slots, f"round {number}")
                ok &= exact
                h_wall, h_lat, h_statuses, h_used = _health_round(base, len(tokens))
                ratios.append(h_wall / wall)
                post["wall"] += wall
                post["lat"] += lat
                post["cpu"] += used
                health["wall"] += h_wall
                health["lat"] += h_lat
                health["cpu"] += h_used
                health["statuses"] += h_statuses
            post_rate = len(post["lat"]) / post["wall"]
            p50, p95 = _quantiles(post["lat"])
            print(f"POST /bookings: {post_rate:.1f} requests/s, "
                  f"{args.slots * args.rounds / post['wall']:.1f} bookings/s, "
                  f"p50 {p50:.0f} ms, p95 {p95:.0f} ms; generator CPU "
                  f"{100 * post['cpu'] / post['wall']:.0f} %")
            health_rate = len(health["lat"]) / health["wall"]
            h50, h95 = _quantiles(health["lat"])
            statuses = health["statuses"]
            print(f"GET /healthz:   {health_rate:.1f} requests/s ({statuses.count(200)}/"
                  f"{len(statuses)} OK), p50 {h50:.0f} ms, p95 {h95:.0f} ms; generator CPU "
                  f"{100 * health['cpu'] / health['wall']:.0f} %")
            print(f"ratio of throughputs POST /bookings ÷ GET /healthz: "
                  f"{post_rate / health_rate:.2f} (rounds {min(ratios):.2f}–{max(ratios):.2f})")
            print("exactly-N-booked check:", "PASS" if ok else "FAIL")
            if not ok:
                errors = [line for line in (Path(tmp) / "server.log").read_text(
                    errors="replace").splitlines() if "Error" in line or " 500 " in line]
                print("server log, errors:", *errors[-20:], sep="\n  ")
        finally:
            _stop(server)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=1,
                        help="unmeasured rounds of each endpoint before the measured ones")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--slots", type=int, default=20)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"),
                        default="both")
    parser.add_argument("--server", choices=("auto", "embedded", "production"),
                        default="auto", help="auto: embedded for SQLite, production "
                        "(gunicorn, gevent) for PostgreSQL")
    args = parser.parse_args(argv)
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run_backend("SQLite", f"sqlite:///{tmp}/bench_booking.sqlite3", args)
    if args.backend in ("postgresql", "both"):
        url = recreate_postgres(PG_URL)
        if url:
            run_backend("PostgreSQL", url, args)


if __name__ == "__main__":
    main()
