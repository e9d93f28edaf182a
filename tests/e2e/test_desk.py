"""The secretary's desk in a real browser on a 1366 × 768 laptop: she lands on it after
logging in, its three lists stand side by side without a horizontal scroll, and axe
finds no serious or critical violation."""

from __future__ import annotations

import json

from tests.e2e.test_accessibility import DEMO_PASSWORD, SECRETARY, axe_violations

LAPTOP = {"width": 1366, "height": 768}


def test_secretary_desk_on_a_laptop(open_page, live_site):
    page = open_page("secretary", SECRETARY, password=DEMO_PASSWORD)
    page.set_viewport_size(LAPTOP)
    assert page.url.endswith("/reports/desk")
    page.reload()
    headings = ["#desk-sessions", "#desk-triage", "#desk-overdue"]
    boxes = [page.locator(h).bounding_box() for h in headings]
    assert all(b is not None for b in boxes)
    assert len({round(b["y"]) for b in boxes}) == 1  # one row of three cards
    assert all(b["y"] + b["height"] < LAPTOP["height"] for b in boxes)  # above the fold
    assert page.evaluate("() => document.documentElement.scrollWidth") <= LAPTOP["width"]
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)
    page.click("main a:has-text('Xem xét đăng ký')")
    page.wait_for_url("**/triage")
