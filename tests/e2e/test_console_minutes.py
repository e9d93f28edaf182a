"""The minutes in the live consoles, in a real browser: the secretary writes in the
console, the chairman's console shows each saved version at once; ending the turn
makes the booking served."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import socketio

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def console_room(live_site):
    seeded = subprocess.run([sys.executable, "-m", "tests.e2e.seed_console"], cwd=ROOT,
                            env=live_site.env, capture_output=True, text=True, timeout=60)
    assert seeded.returncode == 0, seeded.stderr
    return json.loads(seeded.stdout.strip().splitlines()[-1])


@pytest.fixture
def waiting_citizen(live_site, console_room):
    """The citizen, in the waiting room over a real Socket.IO connection."""
    client = socketio.Client(reconnection=False)
    client.connect(live_site.url, namespaces=["/live"], transports=["websocket"],
                   auth={"token": console_room["citizen_token"]}, wait_timeout=10)
    ack = client.call("join", {"session_id": console_room["session_id"]}, namespace="/live",
                      timeout=10)
    assert ack["ok"] is True, ack
    yield client
    client.disconnect()


def _console(open_page, room: dict, role: str):
    page = open_page(role, room[f"{role}_email"], password=room["password"])
    page.goto(f"/live/{room['session_id']}/{role}")
    page.wait_for_function("() => document.getElementById('waiting-count').textContent === '1'")
    return page


def test_secretary_writes_and_the_chairman_reads_live(open_page, live_site, console_room,
                                                      waiting_citizen):
    booking_id = console_room["booking_id"]
    secretary = _console(open_page, console_room, "secretary")
    host = _console(open_page, console_room, "host")
    host.click("#call-next")
    editor = f"#minutes-{booking_id}-content"
    # Both consoles open the minutes of the case being served: writable, read-only.
    secretary.wait_for_selector(f"{editor}:not([readonly])")
    host.wait_for_selector(f"{editor}[readonly]")
    assert secretary.input_value("#minutes-case") == str(booking_id)
    text = "Bà Biên đề nghị sửa 2 km đường liên thôn bị sạt lở."
    secretary.fill(editor, text)
    secretary.wait_for_selector(f"#minutes-{booking_id} .minutes-status:has-text('1')")
    # No reload, no polling: the saved version reaches the chairman's console.
    host.wait_for_function(f"() => document.querySelector('{editor}').value === {text!r}")
    secretary.fill(f"#minutes-{booking_id}-conclusion", "Giao UBND xã kiểm tra, báo cáo.")
    secretary.wait_for_selector(f"#minutes-{booking_id} .minutes-status:has-text('2')")
    host.wait_for_function(f"() => document.querySelector('#minutes-{booking_id}-conclusion')"
                           ".value === 'Giao UBND xã kiểm tra, báo cáo.'")
    host.click("#finish")
    host.wait_for_function("() => !document.querySelector('#current-case .ticket')")
    database = live_site.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        status = conn.execute("SELECT status FROM bookings WHERE id = ?",
                              (booking_id,)).fetchone()[0]
        content = conn.execute("SELECT content FROM minutes WHERE booking_id = ?",
                               (booking_id,)).fetchone()[0]
    assert status == "served" and content == text
