"""Three parties in real browsers: the host's console, a reception point taking the call of
its citizen, and an interpreter joining by a one-time link; each decodes the others' video."""

from __future__ import annotations

import time

import pytest

from tests.e2e.seed_room import POINT_ROOM

pytestmark = pytest.mark.browser

#: framesDecoded of each connection of the page's mesh, by party.
FRAMES_BY_PARTY = """async () => {
  const mesh = window.__liveMesh;
  if (!mesh) { return {}; }
  const out = {};
  for (const party of Object.keys(mesh.peers)) {
    const stats = await mesh.peers[party].pc.getStats();
    let frames = 0;
    stats.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") { frames += s.framesDecoded || 0; }
    });
    out[party] = frames;
  }
  return out;
}"""

#: videoWidth of the page's main picture and of each other party's picture.
WIDTHS = """() => Array.from(document.querySelectorAll('#remote-video, #guest-videos video'))
  .map((v) => v.videoWidth)"""


def _decodes_everyone(page, parties: set[str]) -> None:
    """Every other party's picture is shown and its frames keep being decoded."""
    page.wait_for_function(
        "(n) => Array.from(document.querySelectorAll('#remote-video, #guest-videos video'))"
        ".filter((v) => v.videoWidth > 0).length >= n", arg=len(parties), timeout=20_000)
    first = page.evaluate(FRAMES_BY_PARTY)
    assert set(first) == parties, first
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        now = page.evaluate(FRAMES_BY_PARTY)
        if all(now[p] > first[p] for p in parties):
            break
        page.wait_for_timeout(200)
    now = page.evaluate(FRAMES_BY_PARTY)
    assert all(now[p] > max(first[p], 0) for p in parties), (first, now)
    assert all(width > 0 for width in page.evaluate(WIDTHS))


def test_host_point_and_interpreter_see_each_other(open_page, live_site, problems):
    room = live_site.data["rooms"][POINT_ROOM]
    session = room["session_id"]
    point = open_page("point", room["operator_email"])
    point.goto(f"/live/{session}/point")
    point.wait_for_selector(f"#point-citizens li[data-state=expected]:has-text('{room['ticket']}')")
    point.click(".point-check-in")
    point.wait_for_selector("#point-citizens li[data-state=waiting]")

    host = open_page("host", room["host_email"])
    host.goto(f"/live/{session}/host")
    host.wait_for_function("() => document.getElementById('waiting-count').textContent === '1'")
    host.click("#call-next")
    host.wait_for_selector(f"#current-case .ticket:has-text('{room['ticket']}')")

    point.wait_for_selector("#point-ringing", state="visible")
    point.click("#take-call")  # refused until the officer confirms the consent
    point.wait_for_selector("#point-message:has-text('đồng ý ghi âm')")
    point.check("#point-consent")
    point.click("#take-call")
    point.wait_for_selector("#call-status:has-text('Cuộc gọi đã kết nối.')", timeout=20_000)

    host.select_option("#invite-role", "interpreter")
    host.fill("#invite-name", "Nguyễn Văn A")
    host.click("#invite-form button[type=submit]")
    host.wait_for_selector("#invite-link", state="visible")
    link = host.input_value("#invite-link")
    assert "/live/khach/" in link

    guest = open_page("guest")
    guest.goto(link)
    assert "Phiên dịch viên: Nguyễn Văn A" in guest.inner_text("#guest-label")
    guest.check("#guest-consent-box")
    guest.click("#guest-continue")
    guest.wait_for_selector("#guest-join:not([disabled])")
    guest.click("#guest-join")
    point.wait_for_selector("#announcements:has-text('Phiên dịch viên: Nguyễn Văn A đã tham "
                            "gia cuộc gọi')")

    _decodes_everyone(host, {"point", guest.evaluate("() => document.getElementById("
                                                     "'live-guest').dataset.party")})
    party = guest.evaluate("() => document.getElementById('live-guest').dataset.party")
    _decodes_everyone(point, {"host", party})
    _decodes_everyone(guest, {"host", "point"})

    # A second browser opening the same link is refused.
    other = open_page("second-browser")
    other.goto(link)
    assert "chỉ dùng được một lần" in other.inner_text("#guest-refusal")
    # Its 410 is the expected answer, not a problem of the page.
    problems.entries[:] = [e for e in problems.entries
                           if not e.startswith("[second-browser]") or "410" not in e]

    # Audio only: the host stops sending video to both.
    host.click("#audio-only")
    host.wait_for_function("""() => Object.values(window.__liveMesh.peers).every((p) =>
        p.pc.getSenders().filter((s) => s.__liveVideo).every((s) => s.track === null))""")
