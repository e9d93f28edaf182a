"""Tests of app/loadfixture.py (``flask seed-load``): live sessions for load tools."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.auth.services import user_for_token
from app.bookings.models import Booking
from app.extensions import db
from app.live.models import QueueEntry
from app.loadfixture import seed_load


def test_seed_load_creates_sessions_hosts_and_citizens_in_queue_order(app):
    data = seed_load(2, 3)
    db.session.commit()
    assert len(data["sessions"]) == 2
    for item in data["sessions"]:
        host = user_for_token(item["host_token"])
        assert host.has_role("host")
        citizens = [user_for_token(t) for t in item["citizen_tokens"]]
        rows = db.session.execute(
            select(Booking.citizen_id, Booking.status, QueueEntry.ticket)
            .join(QueueEntry, QueueEntry.booking_id == Booking.id)
            .where(Booking.session_id == item["id"]).order_by(Booking.slot_start)).all()
        assert [tuple(r) for r in rows] == [(c.id, "accepted", f"{i + 1:03d}")
                                            for i, c in enumerate(citizens)]


def test_seed_load_command_writes_the_file(app, tmp_path):
    out = tmp_path / "load.json"
    result = app.test_cli_runner().invoke(args=["seed-load", "--sessions", "1", "--waiting", "2",
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert len(data["sessions"][0]["citizen_tokens"]) == 2
