"""Signed heads of the audit log (app/audit/heads.py), the hourly job that writes them
and ``flask audit verify`` checking the chain against them."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import delete, select

from app.audit import heads
from app.audit.models import SCHEME_SHA256, AuditEvent
from app.audit.services import GENESIS, record_event, seal
from app.extensions import db


def _events(n: int = 5) -> list[AuditEvent]:
    events = [record_event("probe", target=f"x:{i}") for i in range(n)]
    db.session.commit()
    return events


def _verify(app, *args: str):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


@pytest.fixture
def head_file(app, tmp_path):
    path = tmp_path / "audit-heads.log"
    app.config["AUDIT_HEAD_FILE"] = str(path)
    return path


def test_the_hourly_job_logs_a_signed_head_that_verify_accepts(app, head_file, caplog):
    events = _events()
    caplog.set_level(logging.INFO, logger="app.audit.head")
    result = app.test_cli_runner().invoke(args=["jobs", "run", "audit_head"])
    assert result.exit_code == 0, result.output
    logged = [r.getMessage() for r in caplog.records if r.name == "app.audit.head"]
    assert len(logged) == 1 and logged[0].startswith("AUDIT_HEAD {")
    assert head_file.read_text().strip() == logged[0]
    head = heads.parse_head(logged[0])
    assert (head["id"], head["mac"]) == (events[-1].id, events[-1].hash)
    _events(2)  # newer events than the head are fine
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert f"reaches the signed head of {head['at']} (event {events[-1].id}" in result.output


def test_a_cut_tail_is_found(app, tmp_path):
    ids = [event.id for event in _events()]
    log = tmp_path / "app.log"
    line = heads.head_line(heads.current_head())
    log.write_text(f"2027-01-01T00:00:00.000Z INFO app.audit.head 7: {line}\n")
    db.session.execute(delete(AuditEvent).where(AuditEvent.id >= ids[3]))
    db.session.commit()
    assert _verify(app).exit_code == 0  # the chain alone is intact
    result = _verify(app, "--log", str(log))
    assert result.exit_code != 0
    assert f"event {ids[-1]} of the signed head" in result.output
    assert "newest events were deleted" in result.output


def test_a_log_resealed_as_old_sha256_events_is_found(app):
    _events()
    head = heads.head_line(heads.current_head())
    prev = GENESIS
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        event.prev_hash, event.scheme = prev, SCHEME_SHA256
        event.hash = prev = seal(prev, event.at, event.actor_id, event.action, event.target,
                                 event.detail, scheme=SCHEME_SHA256)
    db.session.commit()
    result = _verify(app, "--head", head)
    assert result.exit_code != 0 and "re-sealed" in result.output


def test_a_head_signed_with_another_key_is_refused(app):
    _events()
    forged = heads.current_head(key=b"another key")
    result = _verify(app, "--head", json.dumps(forged))
    assert result.exit_code != 0 and "does not verify with AUDIT_KEY" in result.output


def test_heads_are_read_from_json_logs_and_the_last_one_counts(app, tmp_path):
    events = _events(2)
    first = heads.head_line(heads.current_head())
    events += _events(1)
    last = heads.head_line(heads.current_head())
    log = tmp_path / "app.jsonl"
    log.write_text("\n".join(json.dumps({"level": "INFO", "msg": m}) for m in
                             (first, "other", last, "AUDIT_HEAD {broken")) + "\n")
    assert heads.parse_head(log.read_text())["id"] == events[-1].id
    assert _verify(app, "--log", str(log)).exit_code == 0


def test_verify_without_a_head_warns(app):
    _events(1)
    result = _verify(app)
    assert result.exit_code == 0 and "warning: no signed head" in result.output


def test_an_empty_log_has_a_head_too(app):
    head = heads.current_head()
    assert (head["id"], head["mac"]) == (0, GENESIS)
    assert _verify(app, "--head", heads.head_line(head)).exit_code == 0


def test_jobs_by_hand_are_refused_in_production(app):
    app.config["SEED_ALLOWED"] = False
    result = app.test_cli_runner().invoke(args=["jobs", "run", "audit_head"])
    assert result.exit_code != 0 and "refused in production" in result.output
