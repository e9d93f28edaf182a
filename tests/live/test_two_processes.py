"""Two real server processes sharing the database and a Redis message queue.

A host connected to one process drives a citizen connected to the other: every
broadcast crosses processes through Redis (CONTRACT §1: two processes work as one
site). Needs TEST_REDIS_URL; skipped without it, failed when unreachable in CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.live.conftest import Recorder, free_port

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
IN_CI = bool(os.environ.get("CI"))


def _redis_problem(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        return None
    except Exception as exc:  # noqa: BLE001 - reported as the skip reason
        return str(exc)


@pytest.fixture
def redis_url():
    """TEST_REDIS_URL, reachable (skip when unset; fail in CI when unreachable)."""
    if not REDIS_URL:
        pytest.skip("Redis skipped: TEST_REDIS_URL is not set")
    problem = _redis_problem(REDIS_URL)
    if problem:
        if IN_CI:
            pytest.fail(f"Redis unreachable in CI: {problem}")
        pytest.skip(f"Redis skipped: unreachable ({problem})")
    return REDIS_URL


def _command() -> list[str]:
    """``python wsgi.py``, with the /live handlers imported first if create_app does not."""
    if "live import events" in (ROOT / "app" / "__init__.py").read_text():
        return [sys.executable, "wsgi.py"]
    return [sys.executable, "-c", "import runpy, app.live.events; "
            "runpy.run_path('wsgi.py', run_name='__main__')"]


#: This module's own channel on the shared Redis: other suites' processes publish on theirs.
CHANNEL = f"tcd-two-processes-{os.getpid()}"


def _start(database_url: str, redis_url: str, tmp_path: Path) -> tuple:
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, SOCKETIO_MESSAGE_QUEUE=redis_url,
               SOCKETIO_CHANNEL=CHANNEL,
               SCHEDULER="off", SECRET_KEY="two-processes-secret", PORT=str(port),
               APP_ENV="development", INSTANCE_PATH=str(tmp_path),
               UPLOAD_DIR=str(tmp_path / "uploads"), LIVE_PRESENCE_GRACE_SECONDS="0")
    process = subprocess.Popen(_command(), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}"


def _wait_up(url: str, process, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server process exited with {process.returncode}")
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"server at {url} did not start")


@pytest.fixture
def two_servers(room, database_url, redis_url, tmp_path):
    """Two ``wsgi.py`` processes on the test database and one Redis queue."""
    started = [_start(database_url, redis_url, tmp_path) for _ in range(2)]
    try:
        for process, url in started:
            _wait_up(url, process)
        yield [url for _, url in started]
    finally:
        for process, _ in started:
            process.terminate()
        for process, _ in started:
            process.wait(timeout=10)


def test_host_on_one_process_drives_a_citizen_on_the_other(two_servers, room):
    host_server, citizen_server = two_servers
    clients = []
    try:
        host = Recorder(host_server, room.host_token)
        citizen = Recorder(citizen_server, room.tokens[0])
        clients += [host, citizen]
        assert host.call("join", {"session_id": room.id})["role"] == "host"
        assert citizen.call("join", {"session_id": room.id})["ticket"] == "001"
        host.wait_for("queue_state", lambda s: len(s["waiting"]) == 1)  # came through Redis
        assert host.call("call_next", {"session_id": room.id})["ticket"] == "001"
        citizen.wait_for("queue", lambda q: q["state"] == "called")
        assert host.call("signal", {"session_id": room.id, "data": {"sdp": "o"}})["ok"]
        assert citizen.wait_for("signal")["data"] == {"sdp": "o"}
    finally:
        for client in clients:
            client.close()


def test_a_queue_change_crosses_processes_as_one_notice(two_servers, room, redis_url):
    """Not one message queue publication per citizen: one notice per change, and each
    process sends the places to its own sockets (app/live/fanout.py)."""
    import json
    import threading

    import redis

    host_server, citizen_server = two_servers
    clients = []
    published: list[dict] = []
    listener = redis.Redis.from_url(redis_url).pubsub()
    stop = threading.Event()

    def listen():
        while not stop.is_set():
            message = listener.get_message(timeout=0.1)
            if message and message["type"] == "message":
                published.append(json.loads(message["data"]))

    thread = threading.Thread(target=listen)
    try:
        host = Recorder(host_server, room.host_token)
        citizens = [Recorder(citizen_server, token) for token in room.tokens[:3]]
        clients += [host, *citizens]
        host.call("join", {"session_id": room.id})
        for citizen in citizens:
            citizen.call("join", {"session_id": room.id})
        host.wait_for("queue_state", lambda s: len(s["waiting"]) == 3)
        listener.subscribe(CHANNEL)
        listener.get_message(timeout=2)  # the subscription's confirmation
        quiet_since = time.monotonic()  # the check-ins' own notices out first, however slow
        while time.monotonic() - quiet_since < 1.0:
            if listener.get_message(timeout=0.2) is not None:
                quiet_since = time.monotonic()
        thread.start()
        assert host.call("call_next", {"session_id": room.id})["ticket"] == "001"
        citizens[0].wait_for("queue", lambda q: q["state"] == "called")
        citizens[2].wait_for("queue", lambda q: q["position"] == 2)
        host.wait_for("queue_state", lambda s: len(s["waiting"]) == 2)
        time.sleep(0.5)
    finally:
        stop.set()
        if thread.is_alive():
            thread.join()
        listener.close()
        for client in clients:
            client.close()
    events = [m.get("event") for m in published if m.get("method") == "emit"]
    assert events.count("queue_changed") == 1, events
    assert not {"queue", "queue_state", "board"} & set(events), events


def test_each_citizen_gets_only_their_own_place_on_either_process(two_servers, room):
    """Citizens on both processes: after a call, each gets the new place, and every
    ``queue`` event any of them ever got is their own (CONTRACT §5)."""
    first, second = two_servers
    clients = []
    try:
        host = Recorder(first, room.host_token)
        citizens = [Recorder(server, token)
                    for server, token in zip((first, second, second), room.tokens, strict=True)]
        clients += [host, *citizens]
        host.call("join", {"session_id": room.id})
        tickets = [citizen.call("join", {"session_id": room.id})["ticket"]
                   for citizen in citizens]
        assert tickets == ["001", "002", "003"]
        host.wait_for("queue_state", lambda s: len(s["waiting"]) == 3)
        assert host.call("call_next", {"session_id": room.id})["ticket"] == "001"
        citizens[0].wait_for("queue", lambda q: q["state"] == "called")
        citizens[1].wait_for("queue", lambda q: q["state"] == "waiting" and q["position"] == 1)
        citizens[2].wait_for("queue", lambda q: q["state"] == "waiting" and q["position"] == 2)
        time.sleep(0.3)  # anything else that was sent has arrived
        for citizen, ticket in zip(citizens, tickets, strict=True):
            got = [data["ticket"] for name, data in list(citizen.events) if name == "queue"]
            assert got and set(got) == {ticket}, (ticket, got)
            assert not {"queue_state", "board"} & citizen.names()
    finally:
        for client in clients:
            client.close()


def test_presence_in_the_waiting_room_is_seen_by_the_other_process(two_servers, room):
    """The host's process decides "your turn is near" for citizens whose sockets are on
    the other process: presence lives in the database, not in a process."""
    from sqlalchemy import select

    from app.extensions import db
    from app.notify.models import Notification

    def told() -> set[int]:
        keys = db.session.scalars(select(Notification.dedupe_key)
                                  .where(Notification.kind == "turn_near")).all()
        db.session.commit()
        return {int(key.split(":")[1]) for key in keys}

    host_server, citizen_server = two_servers
    clients = []
    try:
        host = Recorder(host_server, room.host_token)
        citizens = [Recorder(citizen_server, token) for token in room.tokens]
        clients += [host, *citizens]
        host.call("join", {"session_id": room.id})
        for citizen in citizens:
            citizen.call("join", {"session_id": room.id})
        host.wait_for("queue_state", lambda s: len(s["waiting"]) == 3)
        assert host.call("call_next", {"session_id": room.id})["ticket"] == "001"
        assert told() == set()  # 002 and 003 wait in the room, on the other process
        citizens[2].close()
        deadline = time.monotonic() + 5
        while not _left(room.citizens[2].id) and time.monotonic() < deadline:
            time.sleep(0.1)  # the citizens' process records the disconnect
        assert host.call("call_next", {"session_id": room.id})["ticket"] == "002"
        assert told() == {room.bookings[2].id}
    finally:
        for client in clients:
            client.close()


def _left(user_id: int) -> bool:
    from sqlalchemy import select

    from app.extensions import db
    from app.live.models import LivePresence

    left = db.session.scalar(select(LivePresence.left_at)
                             .where(LivePresence.user_id == user_id))
    db.session.commit()
    return left is not None
