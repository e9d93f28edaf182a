"""What the chaos run starts and breaks: its own PostgreSQL cluster and Redis, an SMS
gateway sink, two gunicorn web processes and the scheduler (docs/deployment.md)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1:] or [Path("/usr/bin")]
SECRET = "chaos-run-secret-0123456789abcdef0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, timeout: float, step: float = 0.1) -> float | None:
    """Seconds until ``check()`` is true, None when ``timeout`` passes first."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if check():
                return time.monotonic() - started
        except Exception:  # noqa: BLE001, S110 - not yet
            pass
        time.sleep(step)
    return None


def _as_postgres(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL refuses to run as root: its tools run as the ``postgres`` user."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


class Postgres:
    """A throw-away PostgreSQL cluster in a temporary directory, on a free port."""

    def __init__(self, workdir: Path):
        self.dir = workdir / "pg"
        self.dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(workdir, "postgres")
            shutil.chown(self.dir, "postgres")
        self.port = free_port()
        bin_dir = PG_BIN[0]
        self.pg_ctl = str(bin_dir / "pg_ctl")
        _as_postgres([str(bin_dir / "initdb"), "-D", str(self.dir / "data"), "-A", "trust",
                      "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"])
        self.start()
        subprocess.run(["psql", self.admin_url, "-qc", "CREATE DATABASE chaos"], check=True)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/chaos"

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        _as_postgres([self.pg_ctl, "-D", str(self.dir / "data"), "-l", str(self.dir / "log"),
                      "-w", "-t", "60", *args])

    def start(self) -> None:
        self._ctl("-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                  "-c fsync=off -c max_connections=100", "start")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        try:
            self._ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass

    def terminate_backends(self) -> int:
        """Cut every connection of the application (pg_terminate_backend); how many."""
        done = subprocess.run(
            ["psql", self.admin_url, "-qtAc", "SELECT count(pg_terminate_backend(pid)) FROM "
             "pg_stat_activity WHERE datname = 'chaos' AND pid <> pg_backend_pid()"],
            check=True, capture_output=True, text=True)
        return int(done.stdout.strip() or 0)


class Redis:
    """A redis-server of the run's own, without persistence (as docs/deployment.md)."""

    def __init__(self, workdir: Path):
        self.port, self.workdir, self.process = free_port(), workdir, None
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if wait_until(self.ping, 10) is None:
            raise RuntimeError("redis-server did not start")

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class _SinkHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self.server.record(self.headers.get("Idempotency-Key"), body)
        time.sleep(self.server.delay)
        answer = b'{"status": "accepted"}'
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


class SmsSink(ThreadingHTTPServer):
    """An SMS gateway as CONTRACT §6 (a POST of {"to", "text"}, 2xx = accepted) that, like
    real gateways, delivers a message once per ``Idempotency-Key``. It counts every POST
    per key (``posts``) and every delivery to a phone (``deliveries``), so a message sent
    twice shows up, and one sent again under its key shows as a repeated POST."""

    daemon_threads = True

    def __init__(self, delay: float = 0.005):
        super().__init__(("127.0.0.1", 0), _SinkHandler)
        self.delay, self.lock = delay, threading.Lock()
        self.posts: dict[str, int] = {}
        self.deliveries: dict[str, int] = {}
        self.url = f"http://127.0.0.1:{self.server_address[1]}/sms"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def record(self, key: str | None, body: dict) -> None:
        key = key or f"no-key:{body.get('to')}:{body.get('text')}"
        with self.lock:
            self.posts[key] = self.posts.get(key, 0) + 1
            if key.startswith("no-key:") or key not in self.deliveries:
                self.deliveries[key] = self.deliveries.get(key, 0) + 1

    def total_posts(self) -> int:
        with self.lock:
            return sum(self.posts.values())


class Site:
    """Two gunicorn web processes and the scheduler, started and killed as a supervisor
    would; their logs go to the work directory."""

    def __init__(self, workdir: Path, database_url: str, redis_url: str, sms_url: str,
                 upload_dir: Path):
        self.workdir = workdir
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("SECRET_KEY", "SCHEDULER", "DATABASE_URL", "FLASK_APP",
                                 "SOCKETIO_MESSAGE_QUEUE", "RATELIMIT_STORAGE_URI")}
        self.env.update(APP_ENV="production", SECRET_KEY=SECRET, AUDIT_KEY=SECRET + "-audit",
                        DATABASE_URL=database_url,
                        SOCKETIO_MESSAGE_QUEUE=redis_url, RATELIMIT_STORAGE_URI=redis_url,
                        SMS_GATEWAY_URL=sms_url, INSTANCE_PATH=str(workdir),
                        UPLOAD_DIR=str(upload_dir), HOST="127.0.0.1", LOG_LEVEL="warning",
                        SOCKETIO_PING_INTERVAL="5", PYTHONUNBUFFERED="1")
        self.ports = {"a": free_port(), "b": free_port()}
        self.processes: dict[str, subprocess.Popen] = {}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def flask(self, *args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args],
                              cwd=ROOT, env=self.env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")

    def start(self, name: str) -> None:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - the process owns it
        if name == "scheduler":
            command, env = [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"], self.env
        else:
            command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
            env = dict(self.env, SCHEDULER="off", PORT=str(self.ports[name]))
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                                stderr=subprocess.STDOUT,
                                                start_new_session=True)
        log.close()

    def up(self, name: str) -> bool:
        return requests.get(f"{self.url(name)}/healthz", timeout=2).status_code == 200

    def wait_up(self, *names: str, timeout: float = 60) -> None:
        for name in names:
            if wait_until(lambda n=name: self.up(n), timeout) is None:
                raise RuntimeError(f"web {name} did not start:\n{self.log(name)[-3000:]}")

    def kill(self, name: str) -> None:
        """SIGKILL the process and its children (gunicorn's master and worker) at once."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


class UploadDisk:
    """UPLOAD_DIR on a small tmpfs (as root), so that it can really fill up; without
    root, a plain directory and ``full`` is None (the fault is then not run)."""

    def __init__(self, workdir: Path, megabytes: int = 8):
        self.path = workdir / "uploads"
        self.path.mkdir()
        self.mounted = os.geteuid() == 0 and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0755", "tmpfs",
             str(self.path)], capture_output=True).returncode == 0
        self.filler = self.path / "filler.bin"

    def fill(self) -> None:
        """Write until the file system refuses (ENOSPC)."""
        with open(self.filler, "wb") as out:
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError:
                pass

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True)


def workdir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="chaos-"))
    path.chmod(0o755)
    return path
