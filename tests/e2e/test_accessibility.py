"""Accessibility in a real browser: axe-core on every main page, the keyboard alone.

axe-core is the vendored copy the app serves (static/vendor/axe-core, pinned); each
page is checked against the WCAG 2 A and AA rules as the user who normally sees it,
and no violation of impact *serious* or *critical* may remain.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo1234"
SECRETARY, HOST, OFFICER, ADMIN = ("thuky@demo.test", "chutich@demo.test",
                                   "canbo@demo.test", "admin@demo.test")
CITIZEN, SERVED_CITIZEN = "congdan1@demo.test", "congdan2@demo.test"
OPERATOR = "diemcau@demo.test"
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    resultTypes: ["violations"],
  });
  return {passes: result.passes.length, violations: result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + "  "
                                                  + n.failureSummary.replace(/\\s+/g, " "))}))};
}"""
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const style = getComputedStyle(el);
  return {tag: el.tagName, id: el.id, text: (el.innerText || el.value || "").slice(0, 40),
          outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
          shadow: style.boxShadow !== "none"};
}"""


def axe_violations(page) -> list[dict]:
    """Serious and critical WCAG 2 A/AA violations of the page as it is now."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(AXE_RUN)
    assert result["passes"] >= 10, f"axe checked almost nothing on {page.url}"
    return result["violations"]


def check(page, found: dict, label: str | None = None) -> None:
    """Record the violations of ``page`` under its path (or ``label``)."""
    violations = axe_violations(page)
    if violations:
        found[label or page.url.split("//", 1)[1].split("/", 1)[1]] = violations


def _pages(demo: dict) -> dict[str | None, list[str]]:
    sid, accepted, task = demo["session_id"], demo["accepted_id"], demo["task_id"]
    code = demo["tracking_code"]
    return {
        None: ["/", "/lich-tiep", "/lich-tiep?unit=08", f"/lich-tiep/buoi/{sid}", "/login",
               "/register", "/track", f"/track?code={code}&phone_last4=0001",
               f"/live/{sid}/board", "/quy-dinh?province=08&date=2026-08-01"],
        CITIZEN: ["/bookings/mine", f"/bookings/{accepted}", "/profile", f"/live/{sid}/room",
                  f"/live/{sid}/test", f"/bookings/{accepted}/reschedule",
                  f"/bookings/{accepted}/cancel"],
        SERVED_CITIZEN: [f"/bookings/{demo['served_id']}"],
        SECRETARY: ["/triage", "/quan-ly-lich", "/quan-ly-lich/tuan-thu",
                    "/quan-ly-lich/lich-moi", "/quan-ly-lich/dot-xuat", "/live/",
                    f"/live/{sid}/secretary", f"/minutes/session/{sid}", f"/minutes/{accepted}",
                    f"/tasks/case/{accepted}", "/tasks/", f"/tasks/{task}", "/reports/",
                    "/reports/register", "/reports/desk"],
        HOST: ["/reports/desk", "/live/", f"/live/{sid}/host", f"/minutes/{accepted}"],
        OFFICER: ["/tasks/", f"/tasks/{task}"],
        OPERATOR: ["/diem-cau/"],
        ADMIN: ["/admin/", "/admin/units/", "/admin/units/08", "/admin/units/08/agencies",
                "/admin/units/08/points", "/admin/points/1",
                "/admin/units/08/hosts", "/admin/people/", "/admin/people/2",
                "/admin/people/invite", "/admin/agencies/1", "/admin/holidays",
                "/admin/notifications/", "/reports/", "/admin/audit/", "/admin/quy-dinh",
                "/admin/quy-dinh/1", "/admin/quy-dinh/moi"],
    }


def test_main_pages_have_no_serious_violations(open_page, live_site):
    """Every main page, as the role that uses it, on a laptop and (public pages) a phone."""
    found: dict[str, list] = {}
    checked = 0
    for email, paths in _pages(live_site.data["demo"]).items():
        page = open_page(email or "anonymous", email, password=DEMO_PASSWORD)
        for path in paths:
            page.goto(path)
            check(page, found, f"{email or 'anonymous'} {path}")
            checked += 1
    phone = open_page("phone", phone=True)
    for path in ("/", "/track", "/login"):
        phone.goto(path)
        check(phone, found, f"phone {path}")
    assert checked >= 45
    assert not found, "axe violations:\n" + json.dumps(found, ensure_ascii=False, indent=1)


def test_booking_flow_steps_have_no_serious_violations(open_page, live_site):
    """Each step of the booking flow, on a phone, with an error message shown once."""
    found: dict[str, list] = {}
    page = open_page("citizen", "congdan4@demo.test", phone=True, password=DEMO_PASSWORD)
    page.goto("/book")
    check(page, found)
    page.click("main a:has-text('Bắt đầu')")  # the home province, 08
    page.fill("#unit-q", "minh xuan")
    page.click("main form button:has-text('Tìm')")
    page.wait_for_url("**q=minh+xuan*")
    check(page, found, "/book/unit (search)")
    page.select_option("#unit_code", "08")
    check(page, found)
    page.click("main form button:has-text('Tiếp tục')")
    steps = [("session", lambda: page.locator("main input[name=choice]").first.check()),
             ("slot", lambda: page.locator("main input[name=slot_start]:enabled").first.check()),
             ("place", lambda: None),  # at home, as checked: the province has points
             ("type", lambda: page.check("#matter_type-4")),  # "Tôi chưa rõ"
             ("field", lambda: page.check("#matter_field-0")),
             ("summary", lambda: page.fill("#summary", "Kiến nghị sửa đường liên thôn.")),
             ("group", lambda: None), ("files", lambda: None),
             ("consents", lambda: page.check("#recording"))]
    for name, answer in steps:
        page.wait_for_url(f"**/book/{name}*")
        if name == "summary":  # the error summary and the field's message
            page.click("main form button[type=submit]")
            page.wait_for_selector(".invalid-feedback")
            check(page, found, "/book/summary (error)")
        check(page, found)
        answer()
        page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/book/check")
    check(page, found)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/done")
    check(page, found)
    room = page.locator("main a[href$='/room']").first.get_attribute("href")
    page.click("main a:has-text('giấy biên nhận')")
    page.wait_for_url("**/receipt")
    check(page, found)
    page.goto(room)  # a pending booking: the page explains why the room is not open
    check(page, found, "/live/<id>/room (pending)")
    assert not found, "axe violations:\n" + json.dumps(found, ensure_ascii=False, indent=1)


def test_live_room_during_a_call_has_no_serious_violations(open_page, live_site):
    """The waiting room (phone), the host's and the secretary's consoles and the board
    while a citizen is in the call: the states the static page checks never reach."""
    room = live_site.data["rooms"][7]
    found: dict[str, list] = {}
    citizen = open_page("citizen", room["citizen_email"], phone=True)
    citizen.goto(f"/live/{room['session_id']}/room")
    check(citizen, found, "room: consent")
    citizen.click("#consent-continue")
    citizen.click("#enter-room")
    citizen.wait_for_selector("#my-position:has-text('Bạn đứng thứ 1')")
    check(citizen, found, "room: waiting")
    host = open_page("host", room["host_email"])
    host.goto(f"/live/{room['session_id']}/host")
    host.wait_for_function("() => document.getElementById('waiting-count').textContent === '1'")
    host.click("#open-session")
    host.click("#call-next")
    host.wait_for_function("() => document.querySelector('#current-case .ticket')")
    citizen.wait_for_selector("#called-banner", state="visible")
    check(citizen, found, "room: called")
    citizen.click("#join-call")
    host.wait_for_function("() => document.getElementById('remote-video').videoWidth > 0",
                           timeout=15_000)
    check(host, found, "host console: in the call")
    check(citizen, found, "room: in the call")
    secretary = open_page("secretary", SECRETARY, password=DEMO_PASSWORD)
    secretary.goto(f"/live/{room['session_id']}/secretary")
    secretary.wait_for_selector("#current-case .ticket")
    check(secretary, found, "secretary console: in the call")
    board = open_page("board")
    board.goto(f"/live/{room['session_id']}/board")
    board.wait_for_function("() => document.getElementById('now-serving').textContent === "
                            f"'{room['ticket']}'")
    check(board, found, "board: serving")
    assert not found, "axe violations:\n" + json.dumps(found, ensure_ascii=False, indent=1)


def _tab_to(page, matches, limit: int = 60) -> dict:
    """Press Tab until ``matches(focused)`` holds; every focused element must show focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_STYLE)
        if focused is None:
            continue
        assert focused["outline"] or focused["shadow"], f"focus not visible on {focused}"
        if matches(focused):
            return focused
    raise AssertionError("the keyboard never reached the expected element")


def test_login_with_the_keyboard_alone(open_page, live_site):
    """Skip link, e-mail, password and the button, with Tab and Enter only."""
    page = open_page("keyboard")
    page.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    _tab_to(page, lambda f: f["id"] == "username")
    page.keyboard.type(SECRETARY)
    _tab_to(page, lambda f: f["id"] == "password")
    page.keyboard.type(DEMO_PASSWORD)
    _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"].strip() == "Đăng nhập")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    assert page.locator("text=Đỗ Thị Thu").count() >= 1


def test_booking_with_the_keyboard_alone(open_page, live_site):
    """The whole booking flow on a phone, answered with Tab, arrows, Space and Enter."""
    page = open_page("keyboard", "congdan5@demo.test", phone=True, password=DEMO_PASSWORD)
    page.goto("/book")

    def to_main_field(select: str) -> None:
        page.evaluate("() => document.getElementById('main').focus()")
        _tab_to(page, lambda f: page.evaluate(
            f"() => document.activeElement.matches({json.dumps(select)})"))

    def submit() -> None:
        _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"].strip() in (
            "Tiếp tục", "Bắt đầu", "Gửi đăng ký"))
        with page.expect_navigation():
            page.keyboard.press("Enter")

    page.evaluate("() => document.getElementById('main').focus()")
    _tab_to(page, lambda f: f["tag"] == "A" and f["text"].strip() == "Bắt đầu")
    with page.expect_navigation():  # the home province, 08
        page.keyboard.press("Enter")
    to_main_field("#unit_code")
    page.keyboard.press("Home")
    assert page.evaluate("() => document.getElementById('unit_code').value") == "08"
    submit()
    for step, field in (("session", "input[name=choice]"),
                        ("slot", "input[name=slot_start]:not([disabled])"),
                        ("place", "input[name=join_from]"),
                        ("type", "input[name=matter_type]"),
                        ("field", "input[name=matter_field]")):
        page.wait_for_url(f"**/book/{step}*")
        to_main_field(field)
        page.keyboard.press("Space")  # a radio group: Space selects the focused option
        assert page.evaluate("() => document.activeElement.checked")
        submit()
    page.wait_for_url("**/book/summary")
    to_main_field("#summary")
    page.keyboard.type("Đề nghị lắp đèn chiếu sáng đường thôn.")
    submit()
    for step in ("group", "files"):
        page.wait_for_url(f"**/book/{step}")
        to_main_field("input")
        submit()
    page.wait_for_url("**/book/consents")
    to_main_field("#recording")
    page.keyboard.press("Space")
    submit()
    page.wait_for_url("**/book/check")
    page.evaluate("() => document.getElementById('main').focus()")
    submit()
    page.wait_for_url("**/done")
    assert page.locator(".tracking-code").inner_text().strip()
