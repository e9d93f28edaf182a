"""A reception point's operator on a phone: she lands on her desk after logging in, the
page fits 360 px without a horizontal scroll, axe finds no serious or critical
violation, and she books a case for a citizen who has no phone of their own."""

from __future__ import annotations

import json

from tests.e2e.test_accessibility import DEMO_PASSWORD, axe_violations

OPERATOR = "diemcau@demo.test"


def test_operator_books_for_a_citizen_on_a_phone(open_page):
    page = open_page("operator", OPERATOR, phone=True, password=DEMO_PASSWORD)
    assert page.url.rstrip("/").endswith("/diem-cau")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)
    page.click("main a:has-text('Đặt lịch giúp công dân') >> nth=0")
    page.wait_for_url("**/book")
    page.fill("#full_name", "Vàng Thị Mai")
    page.fill("#address", "Thôn Nà Liềng, phường Minh Xuân")
    page.fill("#cccd", "008185004321")
    page.fill("#summary", "Đề nghị sửa đường liên thôn bị sạt lở.")
    page.check("#consents_confirmed")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda u: u.rstrip("/").endswith("/diem-cau"))
    assert "Đã đặt lịch cho công dân Vàng Thị Mai" in page.inner_text("main")
    assert "Vàng Thị Mai" in page.inner_text(".desk-citizen >> nth=0")
