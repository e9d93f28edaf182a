"""The chairman's stage (host console) and the public board, in a real browser.

At 1366 × 768 and 1920 × 1080: the citizen's picture is inside the screen and at least
480 px wide, ending a turn and calling the next one are two buttons (the latter asks
first during a turn), the shortcuts work but not while typing, the queue after a
reconnection is the real one; the board is readable from afar and reads tickets out.
"""

from __future__ import annotations

import json
import re

import pytest

from .test_accessibility import check

pytestmark = pytest.mark.browser

NOBODY = "Không còn công dân nào đang chờ."
DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
VIDEO_BOX = """() => {
  const r = document.getElementById('remote-video').getBoundingClientRect();
  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width,
          vw: window.innerWidth, vh: window.innerHeight};
}"""


def _sized(open_page, name, email, width, height):
    page = open_page(name, email)
    page.set_viewport_size({"width": width, "height": height})
    return page


def _citizen_waits(open_page, room):
    citizen = open_page("citizen", room["citizen_email"])
    citizen.goto(f"/live/{room['session_id']}/room")
    citizen.click("#consent-continue")
    citizen.click("#enter-room")
    citizen.wait_for_selector("#my-position:has-text('Bạn đứng thứ 1')")
    return citizen


def _video_fits(host) -> dict:
    box = host.evaluate(VIDEO_BOX)
    assert box["width"] >= 480, box
    assert box["left"] >= 0 and box["top"] >= 0, box
    assert box["right"] <= box["vw"] and box["bottom"] <= box["vh"], box
    return box


def test_stage_during_a_call_at_laptop_and_full_hd(open_page, live_site, tmp_path):
    room = live_site.data["rooms"][9]
    board = _sized(open_page, "board", None, 1920, 1080)
    board.goto(f"/live/{room['session_id']}/board")
    citizen = _citizen_waits(open_page, room)
    host = _sized(open_page, "host", room["host_email"], 1366, 768)
    host.goto(f"/live/{room['session_id']}/host")
    host.wait_for_function("() => document.getElementById('waiting-count').textContent === '1'")
    assert NOBODY not in host.locator("#live-console").inner_text()
    # Shortcuts do nothing while typing.
    host.fill("#announce-text", "n")
    host.press("#announce-text", "n")
    assert host.locator("#current-case .ticket").count() == 0
    host.locator("#announce-text").fill("")
    host.click("#open-session")
    host.locator("h1").click()
    host.keyboard.press("n")  # N calls the next citizen
    host.wait_for_selector(f"#current-case .ticket:has-text('{room['ticket']}')")
    assert room["citizen_name"] in host.locator("#current-case").inner_text()
    citizen.wait_for_selector("#called-banner", state="visible")
    citizen.click("#join-call")
    host.wait_for_function("() => document.getElementById('remote-video').videoWidth > 0",
                           timeout=15_000)
    _video_fits(host)
    # The self-view shows the host's own camera, muted.
    assert host.evaluate("() => { const v = document.getElementById('local-video');"
                         " return v.muted && v.playsInline && v.srcObject &&"
                         " v.srcObject.getVideoTracks().length > 0; }")
    host.wait_for_function("() => document.getElementById('local-video').videoWidth > 0")
    check(host, found := {}, "host console at 1366 × 768")
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
    host.wait_for_timeout(1000)
    host.screenshot(path=str(tmp_path / "host-console.png"))
    host.set_viewport_size({"width": 1920, "height": 1080})
    _video_fits(host)

    # Calling the next citizen during a turn asks first; refusing keeps the turn.
    dialogs = []

    def refuse(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    host.once("dialog", refuse)
    host.click("#call-next")
    assert dialogs and room["ticket"] in dialogs[0]
    host.wait_for_timeout(500)
    assert host.locator("#current-case .ticket").inner_text() == room["ticket"]
    assert "đã kết thúc" not in citizen.locator("#final-message").inner_text()

    # M mutes the microphone; E ends the turn, a button of its own.
    host.locator("h1").click()
    host.keyboard.press("m")
    assert host.evaluate("() => document.getElementById('local-video').srcObject"
                         ".getAudioTracks().every((t) => !t.enabled)")
    assert host.locator("#mute").get_attribute("aria-pressed") == "true"
    host.keyboard.press("e")
    citizen.wait_for_selector("#final-message:has-text('Lượt tiếp của bạn đã kết thúc')")
    host.wait_for_function("() => !document.querySelector('#current-case .ticket')")

    # The board: the ticket called, large, spoken digit by digit after a chime.
    board.wait_for_function("() => document.getElementById('live-board').dataset.spoken")
    spoken = board.evaluate("() => document.getElementById('live-board').dataset.spoken")
    assert spoken == "Mời công dân số " + " ".join(DIGITS[int(d)] for d in room["ticket"])
    board.screenshot(path=str(tmp_path / "board-live.png"))


def test_board_is_readable_from_afar_without_list_numbers(open_page, live_site):
    room = live_site.data["rooms"][10]
    board = _sized(open_page, "board", None, 1920, 1080)
    board.goto(f"/live/{room['session_id']}/board")
    _citizen_waits(open_page, room)
    board.wait_for_function("() => document.getElementById('next-tickets').textContent === "
                            f"'{room['ticket']}'")
    sizes = board.evaluate("""() => {
      const now = getComputedStyle(document.getElementById('now-serving'));
      const list = document.getElementById('next-tickets');
      return {now: parseFloat(now.fontSize), next: parseFloat(getComputedStyle(list).fontSize),
              tag: list.tagName, marker: getComputedStyle(list.firstElementChild).listStyleType};
    }""")
    assert sizes["now"] >= 96 and sizes["next"] >= 48, sizes
    assert sizes["tag"] == "UL" and sizes["marker"] == "none", sizes
    found: dict = {}
    check(board, found, "board at 1920 × 1080")
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_console_shows_the_real_queue_after_a_reconnection(open_page, live_site):
    """A citizen waits; the console's connection drops and comes back: it must list
    them and never say that nobody waits."""
    room = live_site.data["rooms"][10]
    host = _sized(open_page, "host", room["host_email"], 1366, 768)
    relays = []

    def relay(ws):
        ws.connect_to_server()
        relays.append(ws)

    host.route_web_socket(re.compile(r"/socket\.io/"), relay)
    host.goto(f"/live/{room['session_id']}/host")
    host.wait_for_selector("#connection-status[data-state=connected]")
    host.wait_for_function("() => document.getElementById('waiting-count').textContent === '1'"
                           " || document.getElementById('waiting-count').textContent === '0'")
    if host.locator("#waiting-count").inner_text() == "0":
        _citizen_waits(open_page, room)
        host.wait_for_function("() => document.getElementById('waiting-count')"
                               ".textContent === '1'")
    relays[-1].close()
    host.wait_for_selector("#connection-status[data-state=reconnecting]")
    host.wait_for_selector("#connection-status[data-state=connected]")
    host.wait_for_function("() => document.getElementById('queue-list').textContent"
                           f".indexOf('{room['ticket']}') >= 0")
    assert host.locator("#waiting-count").inner_text() == "1"
    assert NOBODY not in host.locator("#live-console").inner_text()
    assert "1 người đang chờ" in host.locator("#current-case").inner_text()
