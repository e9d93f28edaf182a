"""Chromium signs in with VNeID through the provider's own login and consent pages
(tests/oidc/provider.mjs) and comes back signed in; the next time it enters the same
account. The application is served from a thread on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.auth.models import User
from app.extensions import db

from .oidc_peer import CLIENT_ID, CLIENT_SECRET, running_provider

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")


def _chromium():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is needed in CI ({CHROMIUM})")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    return pytest.importorskip("playwright.sync_api")


@pytest.fixture
def site(app, database_url, tmp_path):
    from app import create_app

    with running_provider() as issuer:
        served = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                             "UPLOAD_DIR": str(tmp_path), "OIDC_ISSUER": issuer,
                             "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                             "OIDC_SCOPES": "openid vneid"})
        server = make_server("127.0.0.1", 0, served, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            server.server_close()
            with served.app_context():
                db.engine.dispose()


def _walk(site: str) -> None:
    """The citizen's clicks, through the provider's own login and consent pages."""
    sync_api = _chromium()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_context().new_page()
        page.route("**/fonts.googleapis.com/**", lambda route: route.abort())
        page.goto(site + "/login")
        page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
        page.fill("input[name=login]", "citizen")
        page.fill("input[name=password]", "any password")
        page.click("button[type=submit]")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(site + "/")
        page.goto(site + "/profile")
        assert page.url == site + "/profile" and "Nguyễn Văn An" in page.content()
        page.locator("form[action='/logout'] button").first.click()
        page.goto(site + "/profile")
        assert "/login" in page.url  # signed out
        page.goto(site + "/login")
        page.get_by_role("link", name="Đăng nhập bằng VNeID").click()  # the provider remembers
        page.wait_for_url(site + "/")
        page.goto(site + "/profile")
        assert page.url == site + "/profile" and "Nguyễn Văn An" in page.content()
        browser.close()


def test_chromium_signs_in_with_vneid_and_comes_back_to_the_same_account(site):
    # In a thread of its own: Playwright's synchronous API refuses to start where another
    # Playwright (the browser suite's, in the same test process) already runs its loop.
    failures: list[BaseException] = []

    def walk() -> None:
        try:
            _walk(site)
        except BaseException as exc:  # noqa: BLE001 - raised again in the test's thread
            failures.append(exc)

    walker = threading.Thread(target=walk)
    walker.start()
    walker.join(timeout=120)
    assert not walker.is_alive(), "the browser walk did not finish"
    if failures:
        raise failures[0]
    db.session.rollback()
    assert db.session.scalar(select(func.count(User.id))) == 1
    assert db.session.scalar(select(User.identity_verified_via)) == "vneid"
