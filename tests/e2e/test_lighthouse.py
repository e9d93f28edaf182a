"""Lighthouse (mobile, default simulated throttling) on the citizen's first pages.

The home page, and as a signed-in citizen the booking start page and the wizard's first
step: performance at least 98 and accessibility 100 each. One Chromium runs the three
audits (tools/npm/lighthouse-pages.mjs), performance and accessibility only, so that the
test stays within a minute. Lighthouse is the pinned npm package of tools/npm, installed
into .cache/npm-tools by scripts/npm-tools.sh when missing (Node and npm needed); the
scores of the last run are written to .cache/lighthouse-scores.json and recorded in
docs/performance.md.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .conftest import CHROMIUM, IN_CI

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".cache" / "npm-tools"
CITIZEN, DEMO_PASSWORD, PROVINCE = "congdan1@demo.test", "demo1234", "08"
MIN_PERFORMANCE, MIN_ACCESSIBILITY = 0.98, 1.0


def _tools() -> Path:
    """The Lighthouse runner, installed when missing; skipped (failed in CI) without npm."""
    if not shutil.which("npm") or not shutil.which("node"):
        if IN_CI:
            pytest.fail("the Lighthouse test needs Node and npm in CI")
        pytest.skip("Lighthouse skipped: Node or npm is not installed")
    subprocess.run([str(ROOT / "scripts" / "npm-tools.sh")], cwd=ROOT, check=True,
                   timeout=600, capture_output=True)
    return TOOLS / "lighthouse-pages.mjs"


def _signed_in_cookie(base: str, email: str, password: str) -> str:
    """The Cookie header of a web sign-in (the login form, its CSRF token included)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/login", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    form = {"username": email, "password": password}
    if token:
        form["csrf_token"] = token.group(1)
    with opener.open(f"{base}/login", data=urllib.parse.urlencode(form).encode(),
                     timeout=10) as response:
        assert "/login" not in response.url, "the demo citizen could not sign in"
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _audit(runner: Path, urls: list[str], headers: dict) -> list[dict]:
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    done = subprocess.run(["node", str(runner), json.dumps({"urls": urls, "headers": headers})],
                          cwd=runner.parent, env=env, capture_output=True, text=True,
                          timeout=170)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_home_and_booking_pages_score_98_performance_and_100_accessibility(live_site):
    runner = _tools()
    cookie = _signed_in_cookie(live_site.url, CITIZEN, DEMO_PASSWORD)
    urls = [f"{live_site.url}/", f"{live_site.url}/book",
            f"{live_site.url}/book/unit?province={PROVINCE}"]
    results = _audit(runner, urls, {"Cookie": cookie})
    (ROOT / ".cache" / "lighthouse-scores.json").write_text(json.dumps(results, indent=1))
    assert [r["requested"] for r in results] == urls
    for result in results:
        assert result["runtimeError"] is None, result
        assert "/login" not in result["url"], f"not signed in: {result['url']}"
        scores = result["scores"]
        assert scores["performance"] >= MIN_PERFORMANCE, result
        assert scores["accessibility"] >= MIN_ACCESSIBILITY, result
