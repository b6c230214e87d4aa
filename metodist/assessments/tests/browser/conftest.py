"""The project's browser fixtures (headless Chromium, the live world, logging in, screenshots)."""

from metodist.core.tests.browser.conftest import (  # noqa: F401
    browser,
    live_world,
    login,
    new_page,
    page,
    screenshot,
)
