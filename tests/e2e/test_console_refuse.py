"""Refusing a citizen at the session from the secretary's console, in a real browser."""

from __future__ import annotations

import sqlite3

import pytest

from tests.e2e.test_console_minutes import _console, console_room, waiting_citizen  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_secretary_refuses_a_waiting_citizen_on_a_session_ground(
        open_page, live_site, console_room, waiting_citizen):  # noqa: F811
    booking_id = console_room["booking_id"]
    secretary = _console(open_page, console_room, "secretary")
    options = secretary.eval_on_selector_all("#refuse-ground option", "os => os.map(o => o.value)")
    assert "weapons" in options and "already_settled" not in options
    secretary.select_option("#refuse-case", str(booking_id))
    secretary.select_option("#refuse-ground", "weapons")
    secretary.fill("#refuse-note", "Không giao nộp dao khi vào phòng tiếp")
    secretary.once("dialog", lambda dialog: dialog.accept())
    secretary.click("#refuse-submit")
    secretary.wait_for_function(
        "() => document.getElementById('waiting-count').textContent === '0'")
    secretary.wait_for_selector("#console-message.alert-success")
    database = live_site.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        status, ground = conn.execute(
            "SELECT status, decision_ground FROM bookings WHERE id = ?", (booking_id,)).fetchone()
    assert (status, ground) == ("refused", "weapons")
