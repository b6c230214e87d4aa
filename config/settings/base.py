"""Settings shared by every environment. Values that differ come from the environment."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("METODIST_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Reverse proxies (addresses or networks) whose X-Forwarded-For / -Proto are believed; see metodist.core.net.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "auditlog",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "metodist.core",
    "metodist.accounts",
    "metodist.registry",
    "metodist.imports",
    "metodist.assessments",
    "metodist.competences",
    "metodist.diagnostics",
    "metodist.analysis",
    "metodist.jobs",
    "metodist.demo",
]

MIDDLEWARE = [
    "metodist.core.net.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "metodist.accounts.two_factor.AdministratorTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "metodist" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "metodist.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'metodist.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: scoped queries with per-row subqueries get cost estimates over jit_above_cost, and compiling
    # them took PostgreSQL 5–9 s of CPU for exports that then ran in 1.5 s (bench/RESULTS.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# Jobs write their progress through a second connection to the same database, outside the transaction
# of the work itself (metodist/jobs/runner.py). In tests it mirrors the default database.
DATABASES["progress"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
JOBS_PROGRESS_DATABASE = "progress"
# A running job whose worker has not reported for this many seconds is given up (metodist/jobs reaper).
JOBS_HEARTBEAT_TIMEOUT = int(os.environ.get("JOBS_HEARTBEAT_TIMEOUT", "60"))
# Every job has a time and a memory budget (metodist/jobs/registry.py JobBudget); a kind that declares none
# gets these: seconds of running, and MB of resident memory above what the worker held when the job started.
JOBS_DEFAULT_TIME_LIMIT = int(os.environ.get("JOBS_DEFAULT_TIME_LIMIT", "1800"))
JOBS_DEFAULT_MEMORY_LIMIT = int(os.environ.get("JOBS_DEFAULT_MEMORY_LIMIT", "512"))
# Exports of more rows than this run as background jobs.
JOBS_EXPORT_ROWS = int(os.environ.get("JOBS_EXPORT_ROWS", "2000"))
# Uploaded files and generated exports (personal data) are deleted after this many days.
RETENTION_DAYS = int(os.environ.get("RETENTION_DAYS", "30"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "metodist.accounts.lockout.LoginAttemptsBackend",  # django-axes: refuses locked-out clients first
    "django.contrib.auth.backends.ModelBackend",
]

# Accounts (metodist.accounts): sessions, API tokens, password guessing, two-factor authentication.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
API_TOKEN_LIFETIME = int(os.environ.get("API_TOKEN_LIFETIME", str(30 * 86400)))  # seconds
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3 * 86400)))  # invitation links too
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")  # links in e-mails sent outside a request
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"  # one store for every process and server
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "metodist.accounts.lockout.normalised_username"
AXES_CLIENT_IP_CALLABLE = "metodist.core.net.client_address"
AXES_LOCKOUT_CALLABLE = "metodist.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Методист"
TWO_FACTOR_PROTECTED_PATHS = ["/admin/", "/audit/"]
TWO_FACTOR_EXEMPT_PATHS = ["/admin/logout/"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский"))]
LOCALE_PATHS = [BASE_DIR / "metodist" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "metodist" / "static"]
STATIC_ROOT = BASE_DIR / "static_collected"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

# Uploaded spreadsheets larger than this are refused before they are parsed.
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "metodist@localhost")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "metodist.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Every string of a request body is cleaned of control characters (metodist.core.text).
    "DEFAULT_PARSER_CLASSES": [
        "metodist.core.api_parsers.JSONParser",
        "metodist.core.api_parsers.FormParser",
        "metodist.core.api_parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Metodist API",
    "DESCRIPTION": "REST API of Metodist, the information system of a municipal methodological service.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets whose field names («kind», «state», «source») other apps use for other choices.
    "ENUM_NAME_OVERRIDES": {
        "FrameworkKindEnum": "metodist.competences.choices.FrameworkKind",
        "CompetenceNodeKindEnum": "metodist.competences.choices.NodeKind",
        "DeficitStateEnum": "metodist.competences.choices.DeficitState",
        "DeficitSourceEnum": "metodist.competences.choices.DeficitSource",
        "ProcedureKindEnum": "metodist.assessments.choices.ProcedureKind",
    },
}

# Content-Security-Policy (django-csp): scripts, styles and fonts only from our own static files, so an
# injected <script>, onclick= or style= does not run. Templates carry no inline code (core/tests/test_csp.py);
# behaviour lives in static/js/metodist.js. The API docs add what Swagger UI / Redoc need (config/api.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# Audit: changes of personal data are logged by django-auditlog; views through metodist.core.audit.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
SPECTACULAR_SETTINGS.update(
    {"SWAGGER_UI_DIST": "SIDECAR", "SWAGGER_UI_FAVICON_HREF": "SIDECAR", "REDOC_DIST": "SIDECAR"}
)

FILTERS_EMPTY_CHOICE_LABEL = _("все")
