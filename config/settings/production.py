"""Production: every secret from the environment, HTTPS only, secure cookies, manifest static files.

The environment variables and their defaults are listed in docs/operations.md. Defaults are the safe
ones (HTTPS redirect, one year of HSTS, secure cookies); an operator relaxes them explicitly.
``make deploy-check`` runs ``collectstatic`` and ``check --deploy --fail-level WARNING`` with these settings.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BASE_DIR, SECRET_KEY, env_bool

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment")

DEBUG = False

# HTTPS. Behind a reverse proxy that terminates TLS, list it in TRUSTED_PROXIES: X-Forwarded-Proto is
# believed only from those addresses (metodist.core.net.ClientAddressMiddleware drops it otherwise).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", str(BASE_DIR / "static_collected")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
