"""Take screenshots of the main pages of a running site (demo data) for the documentation.

Usage: python scripts/screenshots.py [BASE_URL] [OUT_DIR]
Needs Chromium (Debian package `chromium`) and the `playwright` Python package.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots")
PHONE = {"width": 360, "height": 780}
LAPTOP = {"width": 1280, "height": 860}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

PAGES = [  # (file, login or None, path, viewport)
    ("home-phone.png", None, "/", PHONE),
    ("schedule.png", None, "/lich-tiep?unit=08", LAPTOP),
    ("book-phone.png", "congdan1@demo.test", "/book/unit", PHONE),
    ("track-phone.png", None, "/track", PHONE),
    ("manage-schedules.png", "thuky@demo.test", "/quan-ly-lich", LAPTOP),
    ("compliance.png", "thuky@demo.test", "/quan-ly-lich/tuan-thu", LAPTOP),
    ("triage.png", "thuky@demo.test", "/triage", LAPTOP),
    ("dashboard.png", "thuky@demo.test", "/reports/", LAPTOP),
    ("officer-tasks.png", "canbo@demo.test", "/tasks/", LAPTOP),
    ("admin.png", "admin@demo.test", "/admin/", LAPTOP),
]


def login(page, email: str) -> None:
    page.goto(f"{BASE}/login")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, email, path, viewport in PAGES:
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            if email:
                login(page, email)
            response = page.goto(f"{BASE}{path}")
            page.screenshot(path=str(OUT / name), full_page=False)
            print(f"{name}: {path} -> {response.status if response else '?'}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
