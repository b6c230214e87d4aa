"""Shared pytest fixtures: the users of every role and their in-scope / out-of-scope data."""

# The browser fixtures are a plugin of the whole suite rather than a conftest each app re-exports: a
# session-scoped Chromium imported into several conftests would be started once per folder, and a second
# Playwright cannot start inside the first one's event loop.
pytest_plugins = ["metodist.core.tests.fixtures", "metodist.core.tests.browser.fixtures"]
