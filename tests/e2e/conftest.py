"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

The browser is never downloaded: `executable_path` points at the system Chromium (installed by
`make test` with the other system packages). Screenshots of the main pages are written to
artifacts/screenshots/ for a person to look at.
"""

import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "correct-horse-battery"  # the factories' password


@pytest.fixture(autouse=True, scope="package")
def _orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
    # body are still synchronous and safe here. Scoped to the browser tests only, so that the
    # rest of the suite (and subprocesses it starts) keeps Django's async-safety check.
    # Package scope (tests/e2e is a package for this): the variable must outlive each test's
    # database teardown (a flush) and end with the last browser test.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser():
    # Package scope: Playwright's sync API keeps an event loop running in this thread until it
    # stops; the rest of the suite must not run beside it (Django refuses sync ORM calls then).
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("the browser tests need Debian's chromium package (make system-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """A fresh browser context (its own cookies) per user, on a laptop-sized window."""
    contexts = []

    def make(username: str | None = None):
        context = browser.new_context(viewport={"width": 1366, "height": 800}, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if username:
            log_in(page, username)
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
