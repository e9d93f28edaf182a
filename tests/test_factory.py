"""The application factory and its configuration."""

import threading

import pytest

from app import create_app
from app.config import load_config


def test_testing_config_is_applied():
    app = create_app({"APP_ENV": "testing"})
    assert app.testing
    assert app.config["SCHEDULER"] is False


def test_creating_the_app_starts_no_scheduler_or_worker_thread():
    before = set(threading.enumerate())
    create_app({"APP_ENV": "development", "SCHEDULER": True})
    started = set(threading.enumerate()) - before
    # Only the rate limiter's in-memory expiry timer may appear.
    assert all(isinstance(t, threading.Timer) for t in started), started


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_config({"APP_ENV": "production"})


def test_production_refuses_to_start_without_audit_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    with pytest.raises(RuntimeError, match="AUDIT_KEY must be set in production"):
        load_config({"APP_ENV": "production"})


def test_development_keeps_its_audit_key_in_the_instance_folder(monkeypatch, tmp_path):
    from app import config

    monkeypatch.delenv("AUDIT_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    first = load_config({"APP_ENV": "development", "SECRET_KEY": "x"})["AUDIT_KEY"]
    assert first and (tmp_path / "audit_key").read_text().strip() == first
    assert load_config({"APP_ENV": "development", "SECRET_KEY": "x"})["AUDIT_KEY"] == first
    assert load_config({"APP_ENV": "testing"})["AUDIT_KEY"] != first  # a fixed one


def test_production_refuses_demo_seed(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("AUDIT_KEY", "y" * 40)
    settings = load_config({"APP_ENV": "production"})
    assert settings["SEED_ALLOWED"] is False
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_unknown_app_env_is_refused():
    with pytest.raises(RuntimeError, match="APP_ENV"):
        load_config({"APP_ENV": "staging"})


def test_postgres_url_uses_psycopg3(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    from app import config

    assert config._database_url("sqlite://") == "postgresql+psycopg://u@h/db"


def test_socketio_mode_is_explicit():
    app = create_app({"APP_ENV": "testing"})
    assert app.extensions["socketio"].async_mode == "threading"
