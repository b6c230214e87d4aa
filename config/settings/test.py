"""Test settings: fast hashing, in-memory mail, tasks run immediately."""

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Jobs run inside the test's transaction: their progress goes through the same connection.
JOBS_PROGRESS_DATABASE = "default"
# A test-only app that proves relation scopes and per-capability permissions (metodist/core/tests/scoping_app).
INSTALLED_APPS = [*INSTALLED_APPS, "metodist.core.tests.scoping_app"]  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Static files come from the finders; no collectstatic in development and tests.
STATIC_ROOT = None  # type: ignore[assignment]  # base.py sets a Path; tests serve static files from the finders
WHITENOISE_USE_FINDERS = True
