"""Playwright fixtures for the end-to-end journeys: one headless Chromium per module, a
fresh browser context (cookies, storage) per test.

Playwright's sync API runs an asyncio event loop in the main thread, so Django's ORM
(fixtures, assertions, the flush after each transactional test) would refuse to run
there without DJANGO_ALLOW_ASYNC_UNSAFE.
"""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000


def _chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    return shutil.which(path)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = _chromium_path()
    if executable is None:
        pytest.skip("Chromium not found: set CHROMIUM_PATH (playwright install is not used)")
    sync_api.expect.set_options(timeout=TIMEOUT_MS)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A page in a new context. The test fails on any uncaught JavaScript error, any
    server error (5xx) and any failed request to the portal (an abort by the browser
    itself, e.g. htmx replacing a request or a navigation, is not a failure)."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = []

    def on_response(response):
        if response.status >= 500:
            problems.append(f"{response.status} on {response.url}")

    def on_request_failed(request):
        failure = request.failure or ""
        if request.url.startswith(live_server.url) and "ERR_ABORTED" not in failure:
            problems.append(f"request failed: {request.url} ({failure})")

    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    yield page
    context.close()
    assert not problems, problems


@pytest.fixture
def log_in(page):
    """Logs in through the real allauth form and waits for the dashboard."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    def _log_in(user, password=PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url("/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
        return page

    return _log_in
