"""Browser tests: Debian's Chromium driven by Playwright against a live server.

The server runs the test app in a thread on a free loopback port, against the same
database as the rest of the suite. Without Chromium these tests skip with the install
command; under CI (CI=true) a missing Chromium fails the run instead, so that a green
CI always means the browser journeys ran.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[1] / "screenshots"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}


def _chromium_path() -> str | None:
    for path in CHROMIUM_PATHS:
        if Path(path).exists():
            return path
    return shutil.which("chromium")


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot be skipped in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _links_to_the_live_server(app, live_server, monkeypatch):
    """Every absolute link (emails, Stripe's return addresses) is built on BASE_URL: during
    a browser test that is the live server, as it is the public address in production."""
    monkeypatch.setitem(app.config, "BASE_URL", live_server)


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        _unavailable("Chromium is not installed: run `apt-get install -y chromium` (Debian) to run browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is missing: pip install -r requirements-dev.txt")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport=VIEWPORTS["laptop"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def save_screenshots(page, name: str) -> list[Path]:
    """Save the current page at phone and laptop widths into tests/screenshots/."""
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    original = page.viewport_size
    saved = []
    for label, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        target = SCREENSHOT_DIR / f"{name}-{label}.png"
        page.screenshot(path=str(target), full_page=True)
        saved.append(target)
    page.set_viewport_size(original)
    return saved


def csp_violations(page) -> list[str]:
    """The Content-Security-Policy refusals the page reports in its console, collected as they come."""
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    return violations


def sign_in_through_the_form(page, email: str, password: str, *, lands_on: str) -> None:
    """Sign in on /login as a person would, then wait for the page a sign-in leads to (a glob)."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lands_on)
