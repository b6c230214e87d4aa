"""The browser fixtures of core (headless Chromium against the live server) for the diagnostics' tests."""

from metodist.core.tests.browser.conftest import (  # noqa: F401  (pytest fixtures)
    browser,
    live_world,
    login,
    new_page,
    page,
    screenshot,
)
