"""The live room in a real browser: waiting room, host console, WebRTC call, board."""

from __future__ import annotations

import hashlib
import sqlite3
import time

import pytest

pytestmark = pytest.mark.browser

FRAMES_DECODED = """async () => {
  const pc = window.__liveRtc;
  if (!pc) { return -1; }
  const stats = await pc.getStats();
  let frames = 0;
  stats.forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") { frames += s.framesDecoded || 0; }
  });
  return frames;
}"""


def _room(live_site, index: int) -> dict:
    return live_site.data["rooms"][index]


def _citizen_waits(open_page, room: dict, camera: bool = True, consented: bool = True):
    """The citizen signs in (on a phone when without camera), reads the recording
    notice (consenting on the page when not yet done) and enters the waiting room."""
    page = open_page("citizen", room["citizen_email"], phone=not camera or not consented)
    page.goto(f"/live/{room['session_id']}/room")
    if not consented:
        assert page.locator("#consent-continue").count() == 0
        page.check("#consent-box")
        # The consent is posted and the room comes back: its scripts must have run before
        # the next button does anything (a busy machine loads them after the button shows).
        with page.expect_navigation(wait_until="load"):
            page.click("#step-consent button[type=submit]")
    page.click("#consent-continue")
    page.click("#enter-room" if camera else "#enter-without-camera")
    page.wait_for_function("() => document.getElementById('my-ticket').textContent === "
                           f"'{room['ticket']}'")
    page.wait_for_selector("#my-position:has-text('Bạn đứng thứ 1')")
    # Phone first: nothing wider than the screen.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    return page


def _host_calls(open_page, room: dict):
    """The host opens the console, opens the session and calls the next citizen."""
    page = open_page("host", room["host_email"])
    page.goto("/live/")
    page.click(f"a[href='/live/{room['session_id']}/host']")
    page.wait_for_function("() => document.getElementById('waiting-count').textContent === '1'")
    page.click("#open-session")
    page.wait_for_function("() => !document.getElementById('console-message').hidden")
    page.click("#call-next")
    page.wait_for_function("() => document.querySelector('#current-case .ticket')")
    return page


def _call(open_page, room: dict, camera: bool = True):
    citizen = _citizen_waits(open_page, room, camera)
    host = _host_calls(open_page, room)
    citizen.wait_for_selector("#called-banner", state="visible")
    citizen.click("#join-call")
    return host, citizen


def _video_flows(page) -> None:
    """The remote <video> shows a picture and the peer connection keeps decoding frames."""
    page.wait_for_function("() => window.__liveRtc && window.__liveRtc.connectionState === "
                           "'connected'", timeout=15_000)
    page.wait_for_function("() => document.getElementById('remote-video').videoWidth > 0",
                           timeout=15_000)
    first = page.evaluate(FRAMES_DECODED)
    deadline = time.monotonic() + 10
    while page.evaluate(FRAMES_DECODED) <= max(first, 0) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert page.evaluate(FRAMES_DECODED) > max(first, 0)


def test_host_and_citizen_see_each_other(open_page, live_site):
    host, citizen = _call(open_page, _room(live_site, 0))
    _video_flows(citizen)
    _video_flows(host)
    assert citizen.locator("#call-status").inner_text() == "Cuộc gọi đã kết nối."
    assert host.locator("#call-status").inner_text() == "Cuộc gọi đã kết nối."
    host.click("#finish")
    citizen.wait_for_selector("#final-message:has-text('Lượt tiếp của bạn đã kết thúc')")
    assert citizen.locator("#step-call").is_hidden()
    host.once("dialog", lambda dialog: dialog.accept())
    host.click("#close-session")
    citizen.wait_for_selector("#final-message:has-text('Buổi tiếp đã kết thúc.')")


def test_citizen_without_camera_still_sees_the_host(open_page, live_site):
    host, citizen = _call(open_page, _room(live_site, 3), camera=False)
    _video_flows(citizen)
    host.wait_for_function("() => window.__liveRtc && window.__liveRtc.connectionState === "
                           "'connected'")
    assert citizen.evaluate("() => document.getElementById('local-video').srcObject"
                            ".getVideoTracks().length") == 0


def test_connection_test_page(open_page, live_site):
    room = _room(live_site, 4)
    page = open_page("test", room["citizen_email"])
    page.goto(f"/live/{room['session_id']}/test")
    page.click("#test-media")
    page.wait_for_selector("#media-result:has-text('Camera và micro hoạt động')")
    page.wait_for_function("() => document.getElementById('test-preview').videoWidth > 0")
    page.click("#test-sound")
    page.click("#test-network")
    page.wait_for_selector("#net-results li:has-text('Độ trễ tới máy chủ')")
    # No STUN server is configured here: the page says so instead of hanging.
    page.wait_for_selector("#net-results li:has-text('STUN/TURN')", timeout=12_000)


def test_board_shows_tickets_and_no_names(open_page, live_site):
    room = _room(live_site, 1)
    board = open_page("board")
    board.goto(f"/live/{room['session_id']}/board")
    citizen = _citizen_waits(open_page, room)
    board.wait_for_function("() => document.getElementById('next-tickets').textContent === "
                            f"'{room['ticket']}'")
    host = _host_calls(open_page, room)
    host.fill("#announce-text", "Buổi tiếp sẽ kéo dài thêm 10 phút.")
    host.click("#announce-form button[type=submit]")
    citizen.wait_for_selector("#announcements:has-text('kéo dài thêm 10 phút')")
    board.wait_for_function("() => document.getElementById('now-serving').textContent === "
                            f"'{room['ticket']}'")
    host.click("#recall")
    citizen.wait_for_selector("#called-banner", state="visible")
    secretary = open_page("secretary", room["host_email"])
    secretary.goto(f"/live/{room['session_id']}/secretary")
    secretary.wait_for_selector(f"#current-case .ticket:has-text('{room['ticket']}')")
    html = board.content()
    for secret in (room["citizen_name"], room["citizen_email"], room["host_name"]):
        assert secret not in html


def test_host_records_the_call(open_page, live_site):
    room = _room(live_site, 2)
    host, citizen = _call(open_page, room)
    _video_flows(host)
    host.wait_for_selector("#recording-badge", state="visible")
    host.wait_for_timeout(4500)  # at least one 4-second chunk
    host.click("#finish")
    host.wait_for_function("() => document.getElementById('recording-status').textContent"
                           ".indexOf('SHA-256') >= 0", timeout=15_000)
    con = sqlite3.connect(live_site.database_url.removeprefix("sqlite:///"))
    try:
        rows = con.execute("SELECT sha256, size, stored_name, status, chunks FROM recordings "
                           "WHERE booking_id = ?", (room["booking_id"],)).fetchall()
    finally:
        con.close()
    assert len(rows) == 1
    sha256, size, stored_name, status, chunks = rows[0]
    assert status == "stored" and chunks >= 2  # one every 4 seconds, and the last one
    assert sha256[:16] in host.locator("#recording-status").inner_text()
    content = (live_site.instance / "uploads" / "recordings" / stored_name).read_bytes()
    assert len(content) == size and hashlib.sha256(content).hexdigest() == sha256
    assert content[:4] == b"\x1a\x45\xdf\xa3"  # a WebM (EBML) file
    assert b"V_VP8" in content[:4096]  # with the citizen's picture


def test_call_resumes_after_a_reload(open_page, live_site):
    room = _room(live_site, 5)
    host, citizen = _call(open_page, room)
    _video_flows(citizen)
    citizen.reload()
    citizen.click("#consent-continue")
    citizen.click("#enter-room")
    citizen.wait_for_selector("#called-banner", state="visible")
    citizen.click("#join-call")
    _video_flows(citizen)
    _video_flows(host)
    citizen.evaluate("() => { window.__previousRtc = window.__liveRtc; }")
    host.reload()
    # The citizen's connection breaks, it asks again and the host's new page calls back.
    citizen.wait_for_function("() => window.__liveRtc !== window.__previousRtc",
                              timeout=20_000)
    _video_flows(citizen)
    _video_flows(host)


def test_citizen_consents_before_entering(open_page, live_site):
    page = _citizen_waits(open_page, _room(live_site, 6), consented=False)
    assert page.locator("#device-status").inner_text() == "Camera và micro hoạt động."


def test_waiting_room_says_it_is_reconnecting_and_gets_its_place_back(open_page, live_site):
    """The connection drops (a server restart, a network change): the waiting room says
    "Đang kết nối lại…" until it is back, then joins again by itself."""
    import re

    room = _room(live_site, 8)  # its own room: the accessibility check holds a call in 7
    page = open_page("citizen", room["citizen_email"])
    relays = []

    def relay(ws):
        ws.connect_to_server()
        relays.append(ws)

    page.route_web_socket(re.compile(r"/socket\.io/"), relay)
    page.goto(f"/live/{room['session_id']}/room")
    page.click("#consent-continue")
    page.click("#enter-room")
    page.wait_for_selector("#connection-status[data-state=connected]")
    page.wait_for_function(f"() => document.getElementById('my-ticket').textContent === "
                           f"'{room['ticket']}'")
    relays[-1].close()  # the first retry waits 0.5–1.5 s
    status = page.wait_for_selector("#connection-status[data-state=reconnecting]")
    assert status.inner_text() == "Đang kết nối lại…"
    page.wait_for_selector("#connection-status[data-state=connected]")
    assert len(relays) == 2
    page.wait_for_selector("#my-position:has-text('Bạn đứng thứ 1')")
