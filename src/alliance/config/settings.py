"""Settings for Alliance, read from the environment with embedded defaults that run locally.

Every setting a deployer may change is read here from an environment variable and documented in
docs/settings.md (a test fails when one is not). The defaults give a working development service
on SQLite; `ALLIANCE_ENV=production` turns the defaults strict (a real secret key is required,
cookies are secure, HSTS is on).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP

from alliance.common.addresses import parse_networks
from alliance.config.env import env_bool, env_int, env_list, env_str
from alliance.config.logging import config as logging_config
from alliance.config.object_storage import s3_storage

SRC_DIR = Path(__file__).resolve().parents[2]
BASE_DIR = SRC_DIR.parent

ENVIRONMENT = env_str("ALLIANCE_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
# Django's debug pages (which list every URL and show settings) only when a developer asks for them:
# `make run` shows the service's own error pages, as people will see them.
DEBUG = env_bool("ALLIANCE_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise RuntimeError("ALLIANCE_DEBUG must not be on when ALLIANCE_ENV=production")

# Published in this repository, so it protects nothing: development and tests only.
_DEV_SECRET = "development-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
SECRET_KEY = env_str("ALLIANCE_SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise RuntimeError(
        "ALLIANCE_SECRET_KEY must be set to a long random value (at least 50 characters, not the "
        "development key) when ALLIANCE_ENV=production. Make one with: python -c 'import "
        "secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list(
    "ALLIANCE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("ALLIANCE_CSRF_TRUSTED_ORIGINS", [])
# Proxies (addresses or networks) whose X-Forwarded-For is believed; none by default, so a client
# cannot choose the address that sign-in lockout, rate limits and the audit log see.
TRUSTED_PROXIES = parse_networks(env_list("ALLIANCE_TRUSTED_PROXIES", []))

# Where the shared public reference data lives (councils, judgements, indicators, postcodes,
# DfE rule lists). Loaders read it from here; nothing is copied into code.
SHARED_DATA_DIR = Path(env_str("ALLIANCE_SHARED_DATA", str(BASE_DIR.parent / "shared" / "data")))
# Files the service writes: uploads, pooled pseudonymised returns, exports.
VAR_DIR = Path(env_str("ALLIANCE_VAR_DIR", str(BASE_DIR / "var")))
# Each council's pseudonymisation key is kept in the database, encrypted with this secret, which
# is never in the database: every machine reads the same keys, and a copy of the database alone
# reveals none (alliance/returns/council_keys.py). Published here, the development one protects
# nothing.
_DEV_KEYS_SECRET = "development-only-keys-secret-not-for-production-use-0123456789"  # noqa: S105
KEYS_SECRET = env_str("ALLIANCE_KEYS_SECRET", "" if PRODUCTION else _DEV_KEYS_SECRET)
if PRODUCTION and (
    KEYS_SECRET == _DEV_KEYS_SECRET or len(KEYS_SECRET) < 43 or len(set(KEYS_SECRET)) < 5
):
    raise RuntimeError(
        "ALLIANCE_KEYS_SECRET must be set to a long random value (at least 43 characters, not the "
        "development one) when ALLIANCE_ENV=production: it encrypts the councils' pseudonymisation "
        "keys. Make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))', keep "
        "it in your secret store and back it up apart from the database."
    )
# Before keys were kept in the database they were files here; `migrate` and first use import any
# it finds, and nothing reads them after that.
KEYS_DIR = Path(env_str("ALLIANCE_KEYS_DIR", str(VAR_DIR / "keys")))
# A fresh checkout has no var/ yet: the SQLite database and uploads live there.
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Derived copies the statutory library keeps between runs (the postcode directory as Parquet).
# The library reads $ALLIANCE_CACHE_DIR itself (it never imports Django), so the service sets it
# for its own processes: the service's files stay under one folder.
CACHE_DIR = Path(env_str("ALLIANCE_CACHE_DIR", str(VAR_DIR / "cache")))
os.environ["ALLIANCE_CACHE_DIR"] = str(CACHE_DIR)

INSTALLED_APPS = [
    "alliance.accounts.admin_apps.AllianceAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "ninja",  # the API's documentation page, served from its own static files
    "alliance.common",
    "alliance.audit",
    "alliance.schedule",
    "alliance.organisations",
    "alliance.accounts",
    "alliance.nationalpicture",
    "alliance.evidence",
    "alliance.returns",
    "alliance.programme",
    "alliance.workplace",
    "alliance.edgeofcare",
    "alliance.forecasts",
    "alliance.api",
]

MIDDLEWARE = [
    "alliance.common.requestid.RequestIdMiddleware",
    "alliance.common.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "alliance.accounts.sessions.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "alliance.common.middleware.SecurityHeadersMiddleware",
    "alliance.common.middleware.MethodNotAllowedPageMiddleware",
    "alliance.common.middleware.NoNulInAddressMiddleware",
    "alliance.common.file_storage.FileStorageUnavailableMiddleware",
    "alliance.audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "alliance.config.urls"
WSGI_APPLICATION = "alliance.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "alliance.common.jinja.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.messages.context_processors.messages",
                "alliance.common.context_processors.navigation",
            ],
        },
    },
    {
        # The admin site stays on Django templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'alliance.sqlite3'}"),
        conn_max_age=env_int("ALLIANCE_DB_CONN_MAX_AGE", 60),
        # a kept connection is checked before each request uses it, so the first request after
        # the database restarts gets a new connection, not an error page
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Kept between requests as on PostgreSQL: opening a SQLite connection (the pragmas above and
    # Django's SQL functions registered on each) cost a signed-in page 5 to 8 ms of processor
    # time, a third of the whole page (bench/page_cost.py --served).
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "reference": figures worked out from the public reference data, each process's own, until the next
# load (alliance/organisations/reference_cache.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "reference": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "reference",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

TASKS = {
    "default": {
        "BACKEND": env_str("ALLIANCE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A task worker or scheduler that has not shown a sign of life for this long is taken for dead:
# the uploads it was checking are queued again and its task rows marked failed.
TASK_STALE_AFTER_SECONDS = env_int("ALLIANCE_TASK_STALE_SECONDS", 600)
# task workers run at a lower processor priority than the web, so checking a large return does not
# slow the pages of everyone using the service (a check takes a little longer when the web is busy)
TASK_WORKER_NICENESS = env_int("ALLIANCE_WORKER_NICENESS", 10)

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:signed-out"
PASSWORD_HASHERS = [
    "alliance.accounts.passwords.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {
            "user_attributes": ("username", "email", "full_name", "first_name", "last_name")
        },
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in lockout: this many failures for one username (or from one address) within the window
# locks further attempts until the window has passed.
SIGN_IN_MAX_FAILURES = env_int("ALLIANCE_SIGN_IN_MAX_FAILURES", 5)
SIGN_IN_LOCKOUT_MINUTES = env_int("ALLIANCE_SIGN_IN_LOCKOUT_MINUTES", 15)
OTP_TOTP_ISSUER = "Alliance"

# Sessions and cookies: a sign-in ends after the absolute lifetime however busy the person is,
# and sooner after a spell of doing nothing (alliance.accounts.sessions).
SESSION_COOKIE_AGE = env_int("ALLIANCE_SESSION_MINUTES", 8 * 60) * 60
SESSION_IDLE_SECONDS = env_int("ALLIANCE_SESSION_IDLE_MINUTES", 30) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "alliance.audit.views.csrf_failure"
USE_TLS = env_bool("ALLIANCE_USE_TLS", default=PRODUCTION)
SESSION_COOKIE_SECURE = USE_TLS
CSRF_COOKIE_SECURE = USE_TLS
_SSL_REDIRECT = env_bool("ALLIANCE_SSL_REDIRECT", default=True)
SECURE_SSL_REDIRECT = USE_TLS and _SSL_REDIRECT
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if USE_TLS else None
SECURE_HSTS_SECONDS = 31_536_000 if USE_TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = USE_TLS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [("dist", BASE_DIR / "static" / "dist")]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Several machines: with a bucket on S3-compatible object storage the returns' files (uploads
# while they are checked, stored versions, findings, workbooks) and attachments live there and
# every machine sees them; `ALLIANCE_VAR_DIR` is then each machine's working copy. Without one
# (the default) they stay on the local disk (alliance/returns/shared_storage.py).
STORAGE_BUCKET = env_str("ALLIANCE_STORAGE_BUCKET", "")
_S3: dict[str, Any] = {
    "bucket": STORAGE_BUCKET,
    "endpoint_url": env_str("ALLIANCE_S3_ENDPOINT_URL", ""),
    "region": env_str("ALLIANCE_S3_REGION", ""),
    "access_key": env_str("ALLIANCE_S3_ACCESS_KEY_ID", ""),
    "secret_key": env_str("ALLIANCE_S3_SECRET_ACCESS_KEY", ""),
    "addressing_style": env_str("ALLIANCE_S3_ADDRESSING_STYLE", ""),
}
if STORAGE_BUCKET:
    STORAGES["returns"] = s3_storage(**_S3, location="returns")
    STORAGES["default"] = s3_storage(**_S3, location="media")
# Outside production static files are served straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# Email (notifications of overdue milestones, reviews due): printed to the console unless a
# deployer gives GOV.UK Notify's API key or an SMTP host.
_SMTP_HOST = env_str("ALLIANCE_EMAIL_HOST", "")
_SMTP_OPTIONS = {
    "host": _SMTP_HOST,
    "port": env_int("ALLIANCE_EMAIL_PORT", 587),
    "username": env_str("ALLIANCE_EMAIL_USER", ""),
    "password": env_str("ALLIANCE_EMAIL_PASSWORD", ""),
    "use_tls": env_bool("ALLIANCE_EMAIL_USE_TLS", default=True),
}
# GOV.UK Notify, what councils use, when its API key is given (alliance/common/notify.py).
_NOTIFY_API_KEY = env_str("ALLIANCE_NOTIFY_API_KEY", "")
_NOTIFY_OPTIONS = {
    "api_key": _NOTIFY_API_KEY,
    "template_id": env_str("ALLIANCE_NOTIFY_TEMPLATE_ID", ""),
    "base_url": env_str("ALLIANCE_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"),
}
MAILERS = {
    "default": (
        {"BACKEND": "alliance.common.notify.NotifyEmailBackend", "OPTIONS": _NOTIFY_OPTIONS}
        if _NOTIFY_API_KEY
        else {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": _SMTP_OPTIONS}
        if _SMTP_HOST
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = env_str("ALLIANCE_FROM_EMAIL", "Alliance <no-reply@alliance.invalid>")

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest statutory return file a council may upload.
UPLOAD_MAX_BYTES = env_int("ALLIANCE_UPLOAD_MAX_MB", 500) * 1024 * 1024
# How long a statutory return's findings (pseudonymised, with the council's re-identification
# file) are kept after the upload is checked; the daily clean-up job deletes them (the counts
# stay). See docs/returns.md.
RETURNS_FINDINGS_RETENTION_DAYS = env_int("ALLIANCE_FINDINGS_RETENTION_DAYS", 90)

# One JSON object a line in production (for a log collector), text for a developer; every line
# with its request id (alliance/config/logging.py).
# Calls a minute each API token may make (alliance/api/rate_limit.py); more get 429 Too Many Requests.
API_REQUESTS_PER_MINUTE = env_int("ALLIANCE_API_REQUESTS_PER_MINUTE", 120)
# Prometheus metrics at /metrics/ for a scraper holding this token (none: the address is a 404).
METRICS_TOKEN = env_str("ALLIANCE_METRICS_TOKEN", "")
# The commit running, reported by /health/: set when the image is built, else asked of git.
COMMIT = env_str("ALLIANCE_COMMIT", "")
LOG_FORMAT = env_str("ALLIANCE_LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = logging_config(LOG_FORMAT, env_str("ALLIANCE_LOG_LEVEL", "INFO"))
# Unhandled errors to Sentry or a Sentry-compatible service, with the request, user, local
# variables and SQL removed (alliance/config/error_reporting.py). Empty: nothing is sent anywhere.
SENTRY_DSN = env_str("ALLIANCE_SENTRY_DSN", "")
if SENTRY_DSN:
    from alliance.config import error_reporting  # the SDK loads only when reporting is on

    error_reporting.start(SENTRY_DSN, environment=ENVIRONMENT, release=COMMIT)

if "PYTEST_VERSION" in os.environ:
    # Tests: a fast hasher (Argon2 itself is proven in its own test), tasks run in-process unless a
    # test asks for the real database queue, and nothing is mailed.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
    # data made by one test must never be read by another (tests that prove the cache turn it on)
    CACHES["reference"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
