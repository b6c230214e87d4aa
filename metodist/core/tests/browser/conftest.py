"""Browser tests use the fixtures of ``metodist.core.tests.browser.fixtures``, loaded once for the whole
suite by the root ``conftest.py`` (one Chromium per run, whatever app's tests ask for it)."""
