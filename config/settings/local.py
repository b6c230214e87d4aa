"""Local development and the demo: DEBUG on, SQLite unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", True)
VAR_DIR.mkdir(parents=True, exist_ok=True)
SECRET_KEY = SECRET_KEY or "insecure-local-development-key-do-not-use-in-production"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"

# Static files come from the finders; no collectstatic in development and tests.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

# The demo's embedded database is shared by the web server, the task worker and the periodic command.
# WAL lets readers run beside the one writer; every transaction takes the write lock when it begins
# (IMMEDIATE), so two writers queue on the busy timeout instead of failing half-way with «database is
# locked» when a read transaction tries to upgrade to a write.
for _alias in DATABASES:  # noqa: F405
    if DATABASES[_alias]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
        DATABASES[_alias]["OPTIONS"] = {  # noqa: F405
            **DATABASES[_alias].get("OPTIONS", {}),  # noqa: F405
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
