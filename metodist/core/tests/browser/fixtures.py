"""End-to-end tests in headless Chromium (Playwright, sync API) against pytest-django's live server.

Debian's Chromium is used (``/usr/bin/chromium`` or ``$METODIST_CHROMIUM``); Playwright's own browsers are
never downloaded. Without Chromium the tests are skipped, or fail when ``$CI`` is set so that a broken CI
image cannot pass silently.

Set ``$METODIST_SCREENSHOT_DIR`` to keep screenshots of the main pages (``metodist-*.png``) for a visual check.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from metodist.accounts.tests.factories import PASSWORD
from metodist.core.tests.fixtures import World, build_world

# Playwright's sync API keeps an asyncio event loop in the test thread; Django would refuse ORM calls
# made from that thread (building the test data, flushing the database) without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("METODIST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
TIMEOUT_MS = 10_000
# Resources a page must load for it to look right: a failure of any of them is a broken page.
ASSET_TYPES = {"stylesheet", "script", "font", "image"}


def _unavailable(message: str) -> None:
    if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
        pytest.fail(f"{message} The browser tests cannot run on CI without it.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set METODIST_CHROMIUM).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev dependencies include playwright
        _unavailable("The playwright Python package is not installed.")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    except Exception as error:
        playwright.stop()
        _unavailable(f"Chromium at {CHROMIUM} did not start: {error}")
    yield browser
    browser.close()
    playwright.stop()


class PageProblems:
    """JavaScript errors, Content-Security-Policy violations and assets (CSS, JS, fonts, images) that failed
    to load while a page was open."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page) -> None:
        page.on("pageerror", self._on_error)
        page.on("console", self._on_console)
        page.on("requestfailed", self._on_failed_request)
        page.on("response", self._on_response)

    def _on_error(self, error) -> None:
        self.items.append(f"JavaScript error: {error}")

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text:  # something inline was blocked: fix the template
            self.items.append(f"CSP violation: {message.text}")

    def _on_failed_request(self, request) -> None:
        self._asset(request, str(request.failure))

    def _on_response(self, response) -> None:
        if response.status >= 400:
            self._asset(response.request, f"HTTP {response.status}")

    def _asset(self, request, what: str) -> None:
        if request.resource_type in ASSET_TYPES:
            self.items.append(f"{request.resource_type} {request.url}: {what}")


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable]:
    """Open a page in a fresh browser context (own cookies): ``new_page(viewport=MOBILE, is_mobile=True)``."""
    contexts = []
    problems = PageProblems()

    def open_page(**context_options):
        options = {"viewport": DESKTOP, "locale": "ru-RU", "accept_downloads": True, **context_options}
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems.items, "The pages had problems:\n" + "\n".join(problems.items)


@pytest.fixture
def page(new_page):
    return new_page()


def _load_reference_data() -> None:
    """Positions and subjects come from a data migration, and a transactional test's flush deletes them."""
    from django.apps import apps

    importlib.import_module("metodist.registry.migrations.0002_reference_data").load(apps, None)


@pytest.fixture
def live_world(live_server) -> World:
    """The test world of fixtures.py, built in the transactional database the live server reads."""
    _load_reference_data()
    return build_world()


@pytest.fixture
def login() -> Callable:
    """Log in through the real login form and wait for the dashboard."""

    def log_in(page, username: str, password: str = PASSWORD) -> None:
        from playwright.sync_api import expect

        page.goto("/accounts/login/")
        page.get_by_label("Имя пользователя").fill(username)
        page.get_by_label("Пароль").fill(password)
        page.get_by_role("button", name="Войти").click()
        expect(page.get_by_role("heading", name="Обзор", exact=True)).to_be_visible()

    return log_in


@pytest.fixture
def screenshot() -> Callable:
    """Save a full-page screenshot as ``$METODIST_SCREENSHOT_DIR/metodist-<name>.png`` when the variable is set."""
    directory = os.environ.get("METODIST_SCREENSHOT_DIR")

    def take(page, name: str) -> None:
        if directory:
            page.screenshot(path=str(Path(directory) / f"metodist-{name}.png"), full_page=True)

    return take


def menu_link(page, name: str):
    """The top bar's link ``name``, its section's dropdown opened first when the link sits in one."""
    nav = page.locator("#mainnav")
    link = nav.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        inner = page.get_by_role("link", name=name, exact=True, include_hidden=True)  # inside each section
        nav.locator(".nav-item.dropdown").filter(has=inner).locator(".dropdown-toggle").click()
    return link
