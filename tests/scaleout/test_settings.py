"""Production settings of docs/deployment.md: structured logs, the proxy in front, and the
sample environment file, which must name exactly what app/config.py reads."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from app import create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _app(tmp_path, **settings):
    return create_app({"APP_ENV": "development", "SECRET_KEY": "settings-test",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                       **settings})


def test_json_logs_are_one_object_a_line(tmp_path, capsys, restore_logging):
    _app(tmp_path, LOG_FORMAT="json", LOG_LEVEL="INFO")
    logging.getLogger("app.notify.senders").info("outbox %s #%s gửi tới %s", "email", 7, "a@b")
    try:
        raise ValueError("hỏng")
    except ValueError:
        logging.getLogger("app.jobs").exception("job %s failed", "dispatch_outbox")
    logging.getLogger("app.jobs").debug("not shown at INFO")
    lines = capsys.readouterr().err.strip().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["msg"] for r in records] == ["outbox email #7 gửi tới a@b",
                                           "job dispatch_outbox failed"]
    first, second = records
    assert first["level"] == "INFO" and first["logger"] == "app.notify.senders"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["ts"])
    assert isinstance(first["pid"], int) and "exc" not in first
    assert second["level"] == "ERROR" and "ValueError: hỏng" in second["exc"]


def test_text_logs_by_default_and_one_handler_however_many_apps(tmp_path, capsys,
                                                                restore_logging):
    _app(tmp_path)
    _app(tmp_path, LOG_FORMAT="text")
    logging.getLogger("app.test").warning("một dòng")
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(r"\S+Z WARNING app\.test \d+: một dòng", lines[0])


def test_an_unknown_log_format_is_refused(tmp_path, restore_logging):
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        _app(tmp_path, LOG_FORMAT="xml")


def test_behind_the_proxy_the_client_address_and_scheme_are_the_forwarded_ones(tmp_path,
                                                                               restore_logging):
    app = _app(tmp_path, PROXY_COUNT=1, METRICS_TOKEN="m")
    seen = {}

    @app.get("/_probe")
    def probe():
        from flask import request

        seen.update(addr=request.remote_addr, scheme=request.scheme)
        return "ok"

    from app.extensions import db

    with app.app_context():
        db.create_all()
    client = app.test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    client.get("/_probe", headers=forwarded)
    assert seen == {"addr": "203.0.113.9", "scheme": "https"}
    # /metrics trusts loopback callers: through nginx a visitor is no longer one.
    assert client.get("/metrics", headers=forwarded).status_code == 403
    assert client.get("/metrics").status_code == 200


def _config_variables() -> set[str]:
    text = (ROOT / "app" / "config.py").read_text()
    return set(re.findall(r'(?:os\.environ\.get|_flag)\("([A-Z_]+)"', text))


def _sample_variables() -> set[str]:
    names = set()
    for line in (ROOT / "deploy" / "env.example").read_text().splitlines():
        match = re.match(r"#?\s*([A-Z][A-Z_]+)=", line)
        if match:
            names.add(match.group(1))
    return names


def test_the_sample_environment_names_what_the_configuration_reads():
    # Set by the systemd units (per process) or only for development and tests.
    by_units = {"SCHEDULER", "SOCKETIO_ASYNC_MODE", "RATELIMIT_ENABLED", "INSTANCE_PATH"}
    assert _sample_variables() - _config_variables() <= {"WORKER_CONNECTIONS", "PORT", "HOST"}
    assert _config_variables() - by_units <= _sample_variables()


def _gunicorn_settings():
    import runpy

    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_the_gunicorn_worker_freezes_start_up_objects_and_collects_young_ones_less_often():
    import gc

    settings = _gunicorn_settings()
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        settings["post_worker_init"](object())
        assert gc.get_threshold() == (50_000, 20, 100)
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def _pool_of(app):
    from app.extensions import db

    with app.app_context():
        return db.engine.pool


def test_postgresql_gets_a_fixed_pool_of_ten_connections_unless_told(tmp_path,
                                                                     restore_logging):
    # The engine connects only when used: no server is needed to read its pool.
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    pool = _pool_of(_app(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    assert (pool.size(), pool._max_overflow, pool._pre_ping) == (10, 0, True)
    pool = _pool_of(_app(tmp_path, SQLALCHEMY_DATABASE_URI=url, DATABASE_POOL_SIZE=4,
                         DATABASE_MAX_OVERFLOW=2))
    assert (pool.size(), pool._max_overflow) == (4, 2)
    # SQLite keeps SQLAlchemy's own pool for files (one writer at a time anyway).
    pool = _pool_of(_app(tmp_path))
    assert (pool.size(), pool._max_overflow) == (5, 10)


WEB_PROCESS = r'''
import sys
from app import create_app
from app.extensions import db
app = create_app({"APP_ENV": "development", "SECRET_KEY": "x", "SCHEDULER": False,
                  "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
with app.app_context():
    db.create_all()
client = app.test_client()
for path in ("/healthz", "/lich-tiep", "/api/v1/units"):
    assert client.get(path).status_code == 200, path
print(" ".join(sorted(sys.modules)))
'''


def test_an_embedded_web_process_loads_no_module_it_does_not_use(tmp_path):
    """What a SQLite process serving pages never needs stays out of its memory (the
    PostgreSQL dialect 2.4 MB, Alembic ~10 MB, cryptography ~5 MB; docs/performance.md)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", WEB_PROCESS,
                           f"sqlite:///{tmp_path / 'web.sqlite3'}"], cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=120)
    modules = set(done.stdout.split())
    assert "app.bookings.slot_holds" in modules and "sqlalchemy.dialects.sqlite" in modules
    # (redis-py imports the tiny top package of cryptography to see whether it is there)
    assert not modules & {"sqlalchemy.dialects.postgresql", "psycopg", "alembic",
                          "flask_migrate", "cryptography.hazmat"}
