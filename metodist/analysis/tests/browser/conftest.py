# The browser fixtures (Chromium, live server, login, screenshots) are core's.
from metodist.core.tests.browser.conftest import (  # noqa: F401
    browser,
    live_world,
    login,
    new_page,
    page,
    screenshot,
)
