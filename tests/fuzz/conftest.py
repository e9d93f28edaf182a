"""A live server for the API fuzz: ``tests/fuzz/serve.py`` in its own process.

Per backend (SQLite file in a temporary folder; PostgreSQL in a schema of its own
inside TEST_DATABASE_URL's database, dropped afterwards) the database is migrated
with ``flask upgrade-db``, filled with ``flask seed-demo``, and given a few records
through the API itself (a booking, a decision, a follow-up task) so that small
generated ids reach real rows. Bearer tokens of demo accounts of several roles are
handed to the tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
IN_CI = bool(os.environ.get("CI"))
PASSWORD = "demo1234"
# Demo accounts of CONTRACT §2, one per kind of caller.
ACCOUNTS = {
    "citizen": "congdan1@demo.test",
    "secretary": "thuky@demo.test",
    "host": "chutich@demo.test",
    "officer": "canbo@demo.test",
    "admin": "admin@demo.test",
}
# Cases sent per (backend, operation), reported at the end of the run.
CASES: dict[tuple[str, str], int] = {}
# Answers per backend by class (2 for 2xx, 4 for 4xx...).
STATUSES: dict[str, Counter] = defaultdict(Counter)


def pytest_terminal_summary(terminalreporter):
    if not CASES:
        return
    for backend in sorted({backend for backend, _ in CASES}):
        counts = {label: n for (b, label), n in CASES.items() if b == backend}
        terminalreporter.write_line(
            f"API fuzz on {backend}: {sum(counts.values())} requests over "
            f"{len(counts)} operations (fewest {min(counts.values())}, "
            f"most {max(counts.values())}); answers by class: "
            + ", ".join(f"{k}xx {n}" for k, n in sorted(STATUSES[backend].items())))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class FuzzSite:
    """The running server, its base URL and a bearer token per role."""

    url: str
    backend: str
    tokens: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None

    @property
    def api(self) -> str:
        return f"{self.url}/api/v1"

    def headers(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}


def _postgres_schema_url(schema: str) -> tuple[str, str]:
    """(URL whose connections use ``schema``, plain psycopg URL for setup)."""
    url = TEST_DATABASE_URL
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def fuzz_site(request, tmp_path_factory):
    """The fuzzed server on a fresh, seeded database of the backend."""
    instance = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    cleanup = None
    if request.param == "sqlite":
        database_url = f"sqlite:///{instance / 'fuzz.sqlite3'}"
    else:
        if not TEST_DATABASE_URL:
            pytest.skip("PostgreSQL skipped: TEST_DATABASE_URL is not set")
        schema = f"fuzz_{uuid.uuid4().hex[:10]}"
        database_url, plain = _postgres_schema_url(schema)
        try:
            engine = create_engine(plain)
            with engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as exc:  # noqa: BLE001 - reported below
            if IN_CI:
                pytest.fail(f"PostgreSQL unreachable in CI: {exc}")
            pytest.skip(f"PostgreSQL skipped: unreachable ({str(exc).splitlines()[0]})")

        def cleanup():
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()

    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, INSTANCE_PATH=str(instance),
               UPLOAD_DIR=str(instance / "uploads"), SCHEDULER="off", APP_ENV="development",
               SECRET_KEY="fuzz-secret-key-not-for-production", PORT=str(port),
               ICE_SERVERS="", SOCKETIO_ASYNC_MODE="threading", SOCKETIO_MESSAGE_QUEUE="",
               RATELIMIT_STORAGE_URI="memory://", FLASK_APP="wsgi")
    for key in ("TURN_URLS", "TURN_SECRET", "EXTERNAL_ROOM_URL", "SMTP_URL", "SMS_GATEWAY_URL"):
        env.pop(key, None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["upgrade-db"], ["seed-demo"]):
        done = subprocess.run(flask + command, cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=180)
        assert done.returncode == 0, f"flask {command[0]} failed:\n{done.stderr[-4000:]}"
    log_path = instance / "server.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([sys.executable, "-m", "tests.fuzz.serve"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    site = FuzzSite(f"http://127.0.0.1:{port}", request.param, log_path=log_path)
    try:
        _wait_up(site.url, process, log_path)
        for role, login in ACCOUNTS.items():
            site.tokens[role] = _login(site, login)
        _seed_records(site)
        yield site
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        if cleanup:
            cleanup()


def _wait_up(url: str, process, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("server exited:\n" + log_path.read_text(errors="replace"))
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"server at {url} did not start")


def _login(site: FuzzSite, username: str) -> str:
    response = requests.post(f"{site.api}/auth/login", timeout=10,
                             json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["token"]


def _seed_records(site: FuzzSite) -> None:
    """A pending and an accepted booking, a task on the accepted one, a file on each."""
    today = date.today()
    sessions = requests.get(f"{site.api}/sessions", timeout=10, params={
        "unit": "08", "from": today.isoformat(), "to": (today + timedelta(days=120)).isoformat()})
    assert sessions.status_code == 200, sessions.text
    session_ids = [s["id"] for s in sessions.json()][:2]
    assert session_ids, "the demo data has no session of the province"
    booked = []
    for number, session_id in enumerate(session_ids):
        response = requests.post(f"{site.api}/bookings", headers=site.headers("citizen"),
                                 timeout=10, json={
                                     "session_id": session_id,
                                     "matter": {"type": "kien_nghi", "field": "dat_dai",
                                                "summary": f"Kiến nghị thử số {number + 1}"},
                                     "consents": {"recording": True}})
        assert response.status_code == 201, response.text
        booked.append(response.json()["id"])
    accepted = requests.post(f"{site.api}/bookings/{booked[0]}/decision", timeout=10,
                             headers=site.headers("secretary"), json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
    task = requests.post(f"{site.api}/bookings/{booked[0]}/tasks", timeout=10,
                         headers=site.headers("secretary"),
                         json={"agency_code": "SNNMT", "description": "Xác minh hiện trạng",
                               "due_date": (today + timedelta(days=30)).isoformat()})
    assert task.status_code == 201, task.text
    pdf = b"%PDF-1.4\n" + b"0" * 64
    for path, role in ((f"bookings/{booked[0]}/attachments", "citizen"),
                       (f"tasks/{task.json()['id']}/attachments", "officer")):
        stored = requests.post(f"{site.api}/{path}", headers=site.headers(role), timeout=10,
                               files={"file": ("don.pdf", pdf, "application/pdf")})
        assert stored.status_code == 201, stored.text
