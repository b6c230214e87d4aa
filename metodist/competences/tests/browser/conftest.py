"""The browser fixtures of core (headless Chromium, the live world, login, screenshots)."""

from metodist.core.tests.browser.conftest import browser, live_world, login, new_page, page, screenshot  # noqa: F401
