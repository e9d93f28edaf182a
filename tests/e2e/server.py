"""A real ``wsgi.py`` server on a fresh SQLite database, seeded by ``seed_room``.

Used by the browser tests (``conftest.live_site``) and by ``scripts/screenshots.py``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "e2e-secret-key-not-for-production"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(instance: Path, port: int = 0) -> dict:
    """The environment of the server and of the seed steps (development, no scheduler)."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{instance / 'e2e.sqlite3'}",
               INSTANCE_PATH=str(instance), UPLOAD_DIR=str(instance / "uploads"),
               SCHEDULER="off", APP_ENV="development", SECRET_KEY=SECRET_KEY, PORT=str(port),
               HOST="127.0.0.1", ICE_SERVERS="", SOCKETIO_ASYNC_MODE="threading",
               SOCKETIO_MESSAGE_QUEUE="", FLASK_APP="wsgi", RATELIMIT_ENABLED="off")
    for key in ("TURN_URLS", "TURN_SECRET", "EXTERNAL_ROOM_URL"):
        env.pop(key, None)
    return env


@contextmanager
def running_site(instance: Path) -> Iterator[tuple[str, dict, dict]]:
    """Migrate and seed a database in ``instance``, serve it; yields (url, seeded data, env).

    Raises AssertionError when the server logged a traceback.
    """
    port = free_port()
    env = server_env(instance, port)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run(flask + ["upgrade-db"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    seeded = subprocess.run([sys.executable, "-m", "tests.e2e.seed_room"], cwd=ROOT, env=env,
                            check=True, capture_output=True, text=True, timeout=120)
    data = json.loads(seeded.stdout.strip().splitlines()[-1])
    log_path = instance / "server.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_up(url, process, log_path)
        yield url, data, env
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
    output = log_path.read_text(errors="replace")
    assert "Traceback" not in output, "the server logged an error:\n" + output[-4000:]


def serve_booking(env: dict, booking_id: int) -> None:
    """Settle an accepted booking as ``served`` (see ``seed_room.serve``)."""
    subprocess.run([sys.executable, "-m", "tests.e2e.seed_room", "serve", str(booking_id)],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)


def _wait_up(url: str, process, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("server exited:\n" + log_path.read_text(errors="replace"))
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"server at {url} did not start")
