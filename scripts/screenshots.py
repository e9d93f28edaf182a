"""Take the screenshots of the README and of the role guides (docs/guides/).

Usage: python scripts/screenshots.py [OUT_DIR]   (default docs/screenshots)

Starts its own ``wsgi.py`` on a fresh SQLite database seeded like the browser tests
(tests/e2e/seed_room.py: the demo data of CONTRACT §2 with three cases of the province's
next session, and live rooms starting in a few minutes), then drives Debian's Chromium
(package ``chromium``, no browser download) through the ``playwright`` package with a
fake camera and microphone: each role's main pages on a phone (360 px) and a laptop.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.server import running_site  # noqa: E402

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
PHONE = {"width": 360, "height": 780}
LAPTOP = {"width": 1280, "height": 860}
STAGE = {"width": 1366, "height": 768}  # the chairman's laptop: the call fits unscrolled
WALL = {"width": 1920, "height": 1080}  # the public board on a television
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required"]
DEMO_PASSWORD = "demo1234"
SCROLL_TO = {"rating-phone.png": "form[action$='/rating']", "track-result-phone.png": "#result-title"}
SECRETARY, HOST, OFFICER, ADMIN = ("thuky@demo.test", "chutich@demo.test",
                                   "canbo@demo.test", "admin@demo.test")


def pages(demo: dict) -> list[tuple[str, str | None, str, dict]]:
    """(file, account or None, path, viewport) of the plain pages."""
    sid, accepted, task = demo["session_id"], demo["accepted_id"], demo["task_id"]
    return [
        # Public pages and the citizen (the names used by README.md come first).
        ("home-phone.png", None, "/", PHONE),
        ("home.png", None, "/", LAPTOP),
        ("schedule.png", None, "/lich-tiep?unit=08", LAPTOP),
        ("schedule-phone.png", None, "/lich-tiep?unit=08", PHONE),
        ("session-phone.png", None, f"/lich-tiep/buoi/{sid}", PHONE),
        ("register-phone.png", None, "/register", PHONE),
        ("login.png", None, "/login", LAPTOP),
        ("track-phone.png", None, "/track", PHONE),
        ("track-result-phone.png", None,
         f"/track?code={demo['tracking_code']}&phone_last4=0001", PHONE),
        ("board.png", None, f"/live/{sid}/board", LAPTOP),
        ("book-phone.png", "congdan1@demo.test", "/book/unit?province=08", PHONE),
        ("book-unit-search-phone.png", "congdan1@demo.test",
         "/book/unit?province=08&q=minh+xuan", PHONE),
        ("receipt-phone.png", "congdan1@demo.test", f"/bookings/{accepted}/receipt", PHONE),
        ("room-pending-phone.png", "congdan3@demo.test", f"/live/{sid}/room", PHONE),
        ("my-bookings-phone.png", "congdan1@demo.test", "/bookings/mine", PHONE),
        ("booking-detail-phone.png", "congdan1@demo.test", f"/bookings/{accepted}", PHONE),
        ("connection-test-phone.png", "congdan1@demo.test", f"/live/{sid}/test", PHONE),
        ("rating-phone.png", "congdan2@demo.test", f"/bookings/{demo['served_id']}", PHONE),
        # The secretary.
        ("manage-schedules.png", SECRETARY, "/quan-ly-lich", LAPTOP),
        ("compliance.png", SECRETARY, "/quan-ly-lich/tuan-thu", LAPTOP),
        ("triage.png", SECRETARY, "/triage", LAPTOP),
        ("triage-phone.png", SECRETARY, "/triage", PHONE),
        ("session-cases.png", SECRETARY, f"/minutes/session/{sid}", LAPTOP),
        ("minutes.png", SECRETARY, f"/minutes/{accepted}", LAPTOP),
        ("task-assign.png", SECRETARY, f"/tasks/case/{accepted}", LAPTOP),
        ("secretary-tasks.png", SECRETARY, "/tasks/", LAPTOP),
        ("dashboard.png", SECRETARY, "/reports/", LAPTOP),
        ("register-book.png", SECRETARY, "/reports/register", LAPTOP),
        # The chairman.
        ("host-index.png", HOST, "/live/", LAPTOP),
        ("host-minutes.png", HOST, f"/minutes/{accepted}", LAPTOP),
        # The agency officer.
        ("officer-tasks.png", OFFICER, "/tasks/", LAPTOP),
        ("officer-tasks-phone.png", OFFICER, "/tasks/", PHONE),
        ("officer-task.png", OFFICER, f"/tasks/{task}", LAPTOP),
        # The administrator.
        ("admin.png", ADMIN, "/admin/", LAPTOP),
        ("admin-units.png", ADMIN, "/admin/units/", LAPTOP),
        ("admin-unit-hosts.png", ADMIN, "/admin/units/08/hosts", LAPTOP),
        ("admin-agencies.png", ADMIN, "/admin/units/08/agencies", LAPTOP),
        ("admin-people.png", ADMIN, "/admin/people/", LAPTOP),
        ("admin-invite.png", ADMIN, "/admin/people/invite", LAPTOP),
        ("admin-holidays.png", ADMIN, "/admin/holidays", LAPTOP),
    ]


class Shooter:
    """Fresh browser contexts, signed in as asked, and the pictures they take."""

    def __init__(self, browser, url: str, data: dict) -> None:
        self.browser, self.url, self.data = browser, url, data
        self.contexts = []

    def page(self, email: str | None, viewport: dict, password: str = DEMO_PASSWORD):
        phone = viewport is PHONE
        context = self.browser.new_context(base_url=self.url, locale="vi-VN",
                                           viewport=viewport, is_mobile=phone, has_touch=phone,
                                           permissions=["camera", "microphone"],
                                           reduced_motion="reduce")
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if email:
            page.goto("/login")
            page.fill("#username", email)
            page.fill("#password", password)
            page.click("main form button[type=submit]")
            page.wait_for_url(lambda u: "/login" not in u)
        return page

    def shot(self, page, name: str, full_page: bool = False) -> None:
        page.wait_for_load_state("load")
        page.screenshot(path=str(OUT / name), full_page=full_page)
        print(f"{name}: {page.url.removeprefix(self.url)}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def booking_flow(shooter: Shooter) -> None:
    """The booking flow on a phone, one picture per main step."""
    page = shooter.page("congdan4@demo.test", PHONE)
    page.goto("/book")
    shooter.shot(page, "book-start-phone.png")
    page.goto("/book/unit?province=08")  # "Bắt đầu" of the home province (HOME_PROVINCE)
    page.select_option("#unit_code", "08")
    page.click("main form button[type=submit]")
    answers = {"session": lambda: page.locator("main input[name=choice]").first.check(),
               "slot": lambda: page.locator("main input[name=slot_start]:enabled").nth(2).check(),
               "type": lambda: page.check("#matter_type-2"),
               "field": lambda: page.check("#matter_field-2"),
               "summary": lambda: page.fill("#summary", "Đề nghị sửa chữa đoạn đường liên "
                                            "thôn bị sạt lở sau mưa lũ tháng 9."),
               "group": lambda: None, "files": lambda: None,
               "consents": lambda: page.check("#recording")}
    for step, answer in answers.items():
        page.wait_for_url(f"**/book/{step}*")
        answer()
        if step in ("session", "slot", "summary", "files", "consents"):
            shooter.shot(page, f"book-{step}-phone.png")
        page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/book/check")
    shooter.shot(page, "book-check-phone.png", full_page=True)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/done")
    shooter.shot(page, "book-done-phone.png")


def live_call(shooter: Shooter) -> None:
    """A citizen waits on a phone, the chairman calls them, the call connects."""
    room, password = shooter.data["rooms"][0], shooter.data["password"]
    citizen = shooter.page(room["citizen_email"], PHONE, password)
    citizen.goto(f"/live/{room['session_id']}/room")
    shooter.shot(citizen, "room-consent-phone.png")
    citizen.click("#consent-continue")
    citizen.click("#enter-room")
    citizen.wait_for_selector("#my-position:has-text('Bạn đứng thứ 1')")
    shooter.shot(citizen, "waiting-room-phone.png")
    host = shooter.page(room["host_email"], STAGE, password)
    host.goto(f"/live/{room['session_id']}/host")
    host.wait_for_function("() => document.getElementById('waiting-count').textContent === '1'")
    host.click("#open-session")
    host.wait_for_function("() => !document.getElementById('console-message').hidden")
    shooter.shot(host, "host-console-waiting.png")
    host.click("#call-next")
    host.wait_for_function("() => document.querySelector('#current-case .ticket')")
    citizen.wait_for_selector("#called-banner", state="visible")
    shooter.shot(citizen, "called-phone.png")
    citizen.click("#join-call")
    for page in (host, citizen):
        page.wait_for_function("() => document.getElementById('remote-video').videoWidth > 0",
                               timeout=30_000)
    time.sleep(1.5)  # a few frames of the fake camera
    shooter.shot(host, "host-console.png")
    citizen.locator("#remote-video").scroll_into_view_if_needed()
    shooter.shot(citizen, "call-phone.png")
    secretary = shooter.page(SECRETARY, LAPTOP)
    secretary.goto(f"/live/{room['session_id']}/secretary")
    secretary.wait_for_selector("#current-case .ticket")
    secretary.wait_for_selector("#minutes-panel textarea")
    shooter.shot(secretary, "secretary-console.png", full_page=True)
    board = shooter.page(None, WALL)
    board.goto(f"/live/{room['session_id']}/board")
    board.wait_for_function("() => document.getElementById('now-serving').textContent "
                            f"=== '{room['ticket']}'")
    shooter.shot(board, "board-live.png")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as instance, \
            running_site(Path(instance)) as (url, data, _env), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=ARGS)
        shooter = Shooter(browser, url, data)
        try:
            for name, email, path, viewport in pages(data["demo"]):
                page = shooter.page(email, viewport)
                page.goto(path)
                if name in SCROLL_TO:
                    page.locator(SCROLL_TO[name]).scroll_into_view_if_needed()
                shooter.shot(page, name)
                page.context.close()
            booking_flow(shooter)
            live_call(shooter)
        finally:
            shooter.close()
            browser.close()


if __name__ == "__main__":
    main()
