"""A real OpenID Connect provider for the VNeID tests: npm ``oidc-provider`` (certified)
run by tests/oidc/provider.mjs on 127.0.0.1, and a driver of its own login and consent
pages for tests without a browser.

The package is installed into .cache/oidc (not committed) the first time; without
Node.js the tests are skipped (failed in CI).
"""

from __future__ import annotations

import fcntl
import html
import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "oidc"
PACKAGE = "oidc-provider@9.13.3"
CLIENT_ID = "tiepcongdan"
CLIENT_SECRET = "a-test-secret-of-the-client"
#: The accounts of the provider: the login typed on its page -> the claims it gives.
ACCOUNTS = {
    "citizen": {"SoDinhDanh": "001099012345", "name": "Nguyễn Văn An",
                "phone_number": "0912345678"},
    "officer": {"SoDinhDanh": "079085001234", "name": "Trần Thị Bình",
                "phone_number": "0987654321"},
    "nameless": {"SoDinhDanh": "12345"},
}


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"the OpenID provider is needed in CI: {reason}")
    pytest.skip(f"OpenID provider absent: {reason}")


def ensure_installed() -> Path:
    """The node_modules holding oidc-provider, installed when missing."""
    modules = CACHE / "node_modules"
    installed = CACHE / ".installed"  # written once npm has finished
    if installed.exists():
        return modules
    if not (shutil.which("node") and shutil.which("npm")):
        _unavailable("Node.js and npm are not installed")
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers install it once
        if not installed.exists():
            done = subprocess.run(["npm", "install", "--prefix", str(CACHE), "--no-audit",
                                   "--no-fund", PACKAGE], capture_output=True, text=True,
                                  timeout=300)
            if done.returncode != 0:
                _unavailable(f"npm install {PACKAGE} failed: {done.stderr[-500:]}")
            installed.write_text(PACKAGE)
    return modules


@contextmanager
def running_provider() -> Iterator[str]:
    """Start the provider; yields its issuer URL. It stops when the block ends."""
    modules = ensure_installed()
    env = dict(os.environ, OIDC_PROVIDER_MODULES=str(modules), OIDC_TEST_CLIENT_ID=CLIENT_ID,
               OIDC_TEST_CLIENT_SECRET=CLIENT_SECRET, OIDC_TEST_ACCOUNTS=json.dumps(ACCOUNTS))
    process = subprocess.Popen(["node", str(ROOT / "tests" / "oidc" / "provider.mjs")],
                               cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    issuer = None
    deadline = time.monotonic() + 30
    while issuer is None and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if line.startswith("{"):
            issuer = json.loads(line)["issuer"]
    if issuer is None:
        process.kill()
        process.wait()
        process.stdin.close()
        process.stdout.close()
        raise AssertionError("the OpenID provider did not start:\n" + "".join(lines))
    drain = threading.Thread(target=lambda: [lines.append(x) for x in process.stdout],
                             daemon=True)
    drain.start()
    try:
        yield issuer
    finally:
        process.stdin.close()  # the script exits when its input ends
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        drain.join(timeout=5)
        process.stdout.close()
    assert not any("server_error" in line for line in lines), "".join(lines)


_ACTION = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)


class ProviderBrowser:
    """Walks the provider's pages as a person would, without a browser: a login typed
    on its login page, consent given (or refused) on its consent page."""

    def __init__(self, callback_prefix: str):
        self.http = requests.Session()
        self.callback_prefix = callback_prefix

    def authorize(self, url: str, *, login: str = "citizen", consent: bool = True) -> str:
        """From the authorization URL to the redirect back; returns the callback URL."""
        response = self.http.get(url, allow_redirects=False, timeout=10)
        for _ in range(10):
            location = response.headers.get("Location")
            if location:
                target = urljoin(response.url, location)
                if target.startswith(self.callback_prefix):
                    return target
                response = self.http.get(target, allow_redirects=False, timeout=10)
                continue
            page = response.text
            if not consent:
                abort = re.search(r'href="([^"]*/abort)"', page)
                assert abort, page
                response = self.http.get(urljoin(response.url, html.unescape(abort.group(1))),
                                         allow_redirects=False, timeout=10)
                continue
            action, body = _ACTION.search(page).groups()
            prompt = re.search(r'name="prompt" value="(\w+)"', body).group(1)
            data = {"prompt": prompt}
            if prompt == "login":
                data.update(login=login, password="any password")
            response = self.http.post(urljoin(response.url, html.unescape(action)), data=data,
                                      allow_redirects=False, timeout=10)
        raise AssertionError("the provider did not send the browser back")
