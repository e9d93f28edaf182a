"""A province deployment in miniature (docs/deployment.md), driven across its processes.

Two gunicorn web processes (one gevent worker each, ``APP_ENV=production``,
``SCHEDULER=off``) and one ``flask --app wsgi scheduler`` process share a PostgreSQL
database whose schema comes from ``flask upgrade-db``, and Redis as the Socket.IO
message queue and rate-limit store. One queue is driven across them: the host on
process A, the citizens on process B, a booking made through B read through A, and
the outbox dispatched by the scheduler process. Needs TEST_DATABASE_URL (PostgreSQL)
and TEST_REDIS_URL: skipped without them, failed when unreachable in CI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.live import test_two_processes as two_processes
from tests.live.conftest import Recorder, free_port

ROOT = Path(__file__).resolve().parents[2]
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
IN_CI = bool(os.environ.get("CI"))
SECRET = "province-test-secret-0123456789abcdef"
METRICS_TOKEN = "province-metrics-token"
redis_url = two_processes.redis_url  # the fixture: TEST_REDIS_URL, reachable


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) \
        if url.startswith("postgresql://") else url


@pytest.fixture
def province_database():
    """A fresh PostgreSQL database next to TEST_DATABASE_URL (``<name>_province``)."""
    if not TEST_DATABASE_URL.startswith(("postgresql://", "postgres://")):
        pytest.skip("PostgreSQL skipped: TEST_DATABASE_URL is not a PostgreSQL URL")
    base, _sep, name = TEST_DATABASE_URL.replace("postgres://", "postgresql://", 1) \
        .rpartition("/")
    name = f"{name}_province"
    try:
        admin = create_engine(_psycopg(f"{base}/postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - reported as the skip reason
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable in CI: {exc}")
        pytest.skip(f"PostgreSQL skipped: unreachable ({str(exc).splitlines()[0]})")
    yield f"{base}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _environment(database_url: str, redis: str, tmp_path: Path, **extra) -> dict:
    """The production environment of every process (deploy/env.example)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "SCHEDULER", "DATABASE_URL", "FLASK_APP")}
    env.update(APP_ENV="production", SECRET_KEY=SECRET, AUDIT_KEY=SECRET + "-audit",
               DATABASE_URL=database_url,
               SOCKETIO_MESSAGE_QUEUE=redis, RATELIMIT_STORAGE_URI=redis,
               METRICS_TOKEN=METRICS_TOKEN, INSTANCE_PATH=str(tmp_path),
               UPLOAD_DIR=str(tmp_path / "uploads"), HOST="127.0.0.1", LOG_FORMAT="json")
    env.update(extra)
    return env


def _seed(database_url: str) -> SimpleNamespace:
    """A commune's session starting in 10 minutes with three booked citizens, a later
    session open to bookings, a fourth citizen, and a due message in the outbox."""
    from app import create_app
    from app.extensions import db
    from app.notify.models import Notification
    from tests import factories as make

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": _psycopg(database_url)})
    with app.app_context():
        unit = make.make_unit()
        host = make.make_user("host", unit=unit)
        today = make.make_reception(unit, host, starts_in_minutes=10, slot_minutes=10)
        later = make.make_reception(unit, host, starts_in_minutes=60 * 24 * 7)
        citizens = [make.make_user("citizen") for _ in range(4)]
        for index, citizen in enumerate(citizens[:3]):
            make.make_booking(today, citizen, slot_index=index)
        reminder = Notification(user_id=citizens[0].id, channel="email",
                                recipient=citizens[0].email, subject="Nhắc lịch",
                                body="Buổi tiếp sắp bắt đầu.", kind="reminder")
        db.session.add(reminder)
        db.session.commit()
        seeded = SimpleNamespace(
            session_id=today.id, later_id=later.id, reminder_id=reminder.id,
            host_token=make.token_for(host),
            tokens=[make.token_for(c) for c in citizens])
        db.session.remove()
        db.engine.dispose()
    return seeded


def _sent_at(database_url: str, notification_id: int):
    engine = create_engine(_psycopg(database_url))
    with engine.connect() as conn:
        sent = conn.execute(text("SELECT sent_at FROM notifications WHERE id = :id"),
                            {"id": notification_id}).scalar()
    engine.dispose()
    return sent


class Processes:
    """The started processes, their logs, and a clean stop."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = open(self.tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        process.log = log  # type: ignore[attr-defined]
        self.started.append((name, process))
        return process

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for _name, process in self.started:
            process.terminate()
        for _name, process in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.log.close()  # type: ignore[attr-defined]


def _metrics(url: str) -> str:
    response = requests.get(f"{url}/metrics", timeout=5,
                            headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    return response.text


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(APP_ENV="production", INSTANCE_PATH=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr
    assert not (tmp_path / "secret_key").exists()  # no development secret made up


def test_one_queue_across_two_web_processes_and_the_scheduler(province_database, redis_url,
                                                              tmp_path):
    started = time.monotonic()
    phases: dict[str, float] = {}
    env = _environment(province_database, redis_url, tmp_path)
    migrated = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "upgrade-db"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    phases["migrated"] = time.monotonic()
    processes = Processes(tmp_path)
    clients: list[Recorder] = []
    try:
        # Started first: the outbox job runs as it starts (before the seed), then every 20 s.
        scheduler = processes.start("scheduler", [sys.executable, "-m", "flask", "--app", "wsgi",
                                                  "scheduler"], env)
        scheduler_started = time.monotonic()
        seeded = _seed(province_database)
        phases["seeded"] = time.monotonic()
        web = []
        for name in ("a", "b"):
            port = free_port()
            process = processes.start(name, [
                sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "1",
                "wsgi:app"], dict(env, SCHEDULER="off", PORT=str(port)))
            web.append((process, f"http://127.0.0.1:{port}"))
        for name, (process, url) in zip("ab", web, strict=True):
            try:
                two_processes._wait_up(url, process, timeout=60)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n{processes.log(name)[-3000:]}") from None
        (_, a), (_, b) = web
        phases["web up"] = time.monotonic()

        # The host on A, the citizens on B: every broadcast crosses Redis.
        host = Recorder(a, seeded.host_token)
        clients.append(host)
        assert host.call("join", {"session_id": seeded.session_id})["role"] == "host"
        citizens = []
        for token in seeded.tokens[:3]:
            citizens.append(Recorder(b, token))
            clients.append(citizens[-1])
            assert citizens[-1].call("join", {"session_id": seeded.session_id})["ok"] is True
        host.wait_for("queue_state", lambda s: len(s["waiting"]) == 3, timeout=10)
        assert host.call("call_next", {"session_id": seeded.session_id})["ticket"] == "001"
        for index, citizen in enumerate(citizens):
            citizen.wait_for("queue", lambda q, i=index: q["ticket"] == f"{i + 1:03d}"
                             and q["position"] == i
                             and q["state"] == ("called" if i == 0 else "waiting"), timeout=10)

        phases["queue"] = time.monotonic()

        # A booking made through B is there when asked through A.
        auth = {"Authorization": f"Bearer {seeded.tokens[3]}"}
        made = requests.post(f"{b}/api/v1/bookings", headers=auth, timeout=30, json={
            "session_id": seeded.later_id, "consents": {"recording": True},
            "matter": {"type": "kien_nghi", "field": "dat_dai",
                       "summary": "Kiến nghị về việc cấp giấy chứng nhận quyền sử dụng đất."}})
        assert made.status_code == 201, made.text
        seen = requests.get(f"{a}/api/v1/bookings/{made.json()['id']}", headers=auth, timeout=30)
        assert seen.status_code == 200
        assert seen.json()["tracking_code"] == made.json()["tracking_code"]

        phases["booking"] = time.monotonic()

        # The scheduler process sends the outbox: its second run comes 20 s after it
        # started (the reminder seeded after the first; the booking's messages may wait a run).
        deadline = scheduler_started + 45
        while _sent_at(province_database, seeded.reminder_id) is None \
                and time.monotonic() < deadline:
            assert scheduler.poll() is None, processes.log("scheduler")[-2000:]
            time.sleep(0.5)
        assert _sent_at(province_database, seeded.reminder_id) is not None, \
            processes.log("scheduler")[-2000:]
        phases["outbox sent"] = time.monotonic()
        # ... and wrote it to its log (LOG_FORMAT=json: one JSON object a line).
        records = [json.loads(line) for line in processes.log("scheduler").splitlines()
                   if line.startswith("{")]
        assert any(r["logger"] == "app.notify.senders" and "Nhắc lịch" in r["msg"]
                   for r in records), records

        # SCHEDULER=off: no job ran in a web process, though the scheduler's did.
        for url in (a, b):
            assert "tcd_job_runs_total{" not in _metrics(url)
        for name in ("a", "b"):
            assert "scheduler started" not in processes.log(name)
    finally:
        for client in clients:
            client.close()
        processes.stop()
        print("province test:", ", ".join(f"{name} {moment - started:.1f} s"
                                          for name, moment in phases.items()),
              f"total {time.monotonic() - started:.1f} s")
