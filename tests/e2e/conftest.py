"""Browser tests: a real ``wsgi.py`` server (``server.py``) and headless Chromium.

Skipped when Chromium (/usr/bin/chromium) or the ``playwright`` package is missing,
failed instead when ``CI`` is set. Each page records console errors, page errors and
failed same-origin requests; a test fails when any was recorded.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .server import running_site

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


def _missing() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder ``browser``; skip (or fail in CI) without Chromium."""
    problem = _missing()
    for item in items:
        if Path(str(item.fspath)).parent != Path(__file__).parent:
            continue
        item.add_marker(pytest.mark.browser)
        if problem and not IN_CI:
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {problem}"))


@dataclass
class LiveSite:
    """The running server and the seeded session."""

    url: str
    data: dict
    instance: Path
    database_url: str
    env: dict


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    """``python wsgi.py`` (threading mode) on a fresh SQLite file, seeded by ``seed_room``."""
    problem = _missing()
    if problem:
        pytest.fail(f"browser tests need Chromium and playwright in CI: {problem}")
    instance = tmp_path_factory.mktemp("e2e-instance")
    with running_site(instance) as (url, data, env):
        yield LiveSite(url, data, instance, env["DATABASE_URL"], env)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium with a fake camera and microphone."""
    problem = _missing()
    if problem:
        pytest.fail(f"browser tests need Chromium and playwright in CI: {problem}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Problems:
    """Console errors, page errors and failed requests seen by the pages of a test."""

    entries: list[str] = field(default_factory=list)

    def watch(self, page, name: str) -> None:
        """Record the problems of ``page`` under ``name``."""
        page.on("console", lambda m: m.type in ("error", "assert") and self.entries.append(
            f"[{name}] console.{m.type}: {m.text} @ {m.location.get('url', '')}"))
        page.on("pageerror", lambda e: self.entries.append(f"[{name}] pageerror: {e}"))
        page.on("requestfailed", lambda r: self.entries.append(
            f"[{name}] request failed: {r.method} {r.url} {r.failure}"))


@pytest.fixture
def problems():
    """Problems of the test's pages; the test fails if any remain at its end."""
    found = Problems()
    yield found
    assert not found.entries, "browser problems:\n" + "\n".join(found.entries)


@pytest.fixture
def open_page(browser, live_site, problems):
    """``open_page(name, email=None, phone=False, password=None)``: a page in a fresh
    context (a 360 px wide phone when asked), signed in when asked (with the seeded
    password unless another is given)."""
    contexts = []

    def opener(name: str, email: str | None = None, phone: bool = False,
               password: str | None = None):
        # Reduced motion: the pulsing "your turn" banner would make clicks wait for it.
        context = browser.new_context(base_url=live_site.url, locale="vi-VN",
                                      permissions=["camera", "microphone"],
                                      reduced_motion="reduce",
                                      viewport={"width": 360, "height": 740} if phone else None,
                                      is_mobile=phone, has_touch=phone)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        problems.watch(page, name)
        if email:
            page.goto("/login")
            page.fill("#username", email)
            page.fill("#password", password or live_site.data["password"])
            page.click("form button[type=submit]")
            page.wait_for_url(lambda u: "/login" not in u)
        return page

    yield opener
    for context in contexts:
        context.close()
