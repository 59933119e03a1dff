"""Settings for the CLAMTEX portal.

Everything that differs between a laptop and production comes from environment variables
(see .env.example). Without any variable set, the portal runs on SQLite with a Celery
broker on the local filesystem, so `make run` needs no server.
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from clamtex.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Production unless DJANGO_DEBUG=1: `make run`, `make test`, the demo and pytest (pytest-env
# in pyproject.toml) turn development mode on themselves. In production the settings refuse
# to start without a real secret key and a host list, naming the variable.
DEBUG = env_bool("DJANGO_DEBUG", default=False)
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-clamtex-portal-0123456789"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
# Commands that only read or write source files (migrations, catalogues) never serve,
# sign or send anything: they load without production secrets (a key made for the run).
OFFLINE_COMMANDS = {"makemigrations", "makemessages", "compile_translations", "compilemessages"}
if not DEBUG and len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS and not SECRET_KEY:
    SECRET_KEY = secrets.token_urlsafe(64)
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost"]


def refuse_to_start(variable: str, message: str):
    """The error names the variable; manage.py and gunicorn print it as one line."""
    error = ImproperlyConfigured(f"{variable} {message}")
    error.variable = variable
    raise error


if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY:
        refuse_to_start(
            "DJANGO_SECRET_KEY",
            "must be set to a secret value (50+ random characters, not the development key) "
            "when DJANGO_DEBUG is not 1.",
        )
    if not ALLOWED_HOSTS:
        refuse_to_start(
            "DJANGO_ALLOWED_HOSTS",
            "must name the portal's host(s), comma-separated, when DJANGO_DEBUG is not 1.",
        )
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_countries",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "clamtex.core",
    "members",
    "projects",
    "workshops",
    "exchange",
    "notifications",
    "privacy",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clamtex.core.middleware.UserLanguageMiddleware",
    "clamtex.core.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "clamtex.urls"
WSGI_APPLICATION = "clamtex.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "clamtex.core.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (postgres://user:pass@host:5432/name); without it a
# SQLite file under var/ is used. IMMEDIATE transactions and a busy timeout let the web
# server, the worker and beat share the SQLite file without "database is locked".
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "clamtex.sqlite3")),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {
                "NAME": os.environ.get("SQLITE_TEST_PATH", str(BASE_DIR / "var" / "test.sqlite3"))
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (allauth's rate limits live here, so it must be shared by all processes) ----
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "clamtex",
        }
    }
else:
    # One file cache per machine: shared by the web server, worker and beat of `make run`.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
        }
    }

# --- Celery -----------------------------------------------------------------------------
# Redis when REDIS_URL is set; otherwise kombu's filesystem transport, which needs no
# server and is shared by the processes that `make run` starts on one machine.
CELERY_DATA_DIR = BASE_DIR / "var" / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (CELERY_DATA_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Brussels"
# One beat sends the schedule even if several are started (a lock in Redis, see
# clamtex/core/beat.py); the schedule itself lives in PostgreSQL (django_celery_beat).
CELERY_BEAT_SCHEDULER = "clamtex.core.beat:SingletonScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic sweeps are defined in code; each entry says what it does.
CELERY_BEAT_SCHEDULE = {
    # Re-queue outbox emails that missed the broker (it was down) and release rows whose
    # worker died while sending. Nothing is lost, nothing is sent twice (rows are claimed).
    "outbox-sweep": {"task": "notifications.tasks.outbox_sweep", "schedule": 120.0},
    # Every morning, one digest per manager of what awaits them (none when nothing does).
    "manager-digest": {
        "task": "notifications.tasks.digest_sweep",
        "schedule": crontab(hour=7, minute=0),
    },
    # Workshop reminders 7 days and 1 day before (each sent once per registration).
    "workshop-reminders": {
        "task": "workshops.tasks.reminders_sweep",
        "schedule": crontab(minute=5),
    },
    # The feedback survey after an event (once per participant).
    "workshop-feedback": {"task": "workshops.tasks.feedback_sweep", "schedule": crontab(minute=35)},
    # ClusterXchange, just after midnight: "ongoing" from the first day at the host,
    # "completed" after the last (each exchange in its own short transaction).
    "exchange-follow-dates": {
        "task": "exchange.tasks.follow_dates",
        "schedule": crontab(hour=0, minute=10),
    },
    # ClusterXchange reminders, each at most once per person and occasion: documents
    # waiting for a signature, stay starting in 7 days, closing report due / overdue,
    # payment due / overdue (to the visitor's cluster).
    "exchange-reminders": {
        "task": "exchange.tasks.reminders_sweep",
        "schedule": crontab(hour=8, minute=15),
    },
    # ClusterXchange bank details: erased once paid plus the programme's retention (or
    # when the exchange ended without payment).
    "exchange-bank-details-cleanup": {
        "task": "exchange.tasks.bank_details_cleanup",
        "schedule": crontab(hour=3, minute=20),
    },
    # Impact follow-up: surveys 3, 6 and 12 months after a validated exchange or a training
    # (one invitation and one reminder per person and milestone; exchange/impact/services.py).
    "exchange-impact-surveys": {
        "task": "exchange.tasks.impact_sweep",
        "schedule": crontab(hour=9, minute=20),
    },
    # On the 1st of each month: last month's progress report (PDF) for each coordinator and
    # cluster manager, emailed as a link through the outbox (once per person and month).
    "monthly-reports": {
        "task": "projects.tasks.monthly_reports_sweep",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    # Hourly: delete generated report files past their retention, fail runs whose worker
    # died, re-queue runs that missed the broker.
    "reports-cleanup": {"task": "projects.tasks.reports_cleanup", "schedule": crontab(minute=50)},
    # Nightly: the retention rules of the privacy app (PRIVACY_RETENTION_* below); the sweep
    # only finds what is due and enqueues one small idempotent task per item.
    "privacy-retention": {
        "task": "privacy.tasks.retention_sweep",
        "schedule": crontab(hour=2, minute=20),
    },
    # Nightly: audit events older than AUDIT_RETENTION_DAYS are deleted.
    "audit-purge": {
        "task": "clamtex.core.tasks.audit_purge",
        "schedule": crontab(hour=2, minute=40),
    },
    # Webhook deliveries whose task was lost (broker down, worker died) are sent again.
    "webhook-sweep": {"task": "api.tasks.webhook_sweep", "schedule": 300.0},
}

# --- Auth and allauth ----------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
# allauth's defaults, written out so the policy is visible; counted in the shared cache.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ca", _("Catalan")),
    ("pt", _("Portuguese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Madrid"
USE_I18N = True
USE_TZ = True
# English is written as in Europe (day/month, 24 h): see clamtex/formats/en/formats.py.
FORMAT_MODULE_PATH = ["clamtex.formats"]

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
# Uploaded files (logos, imports) live outside the static files; private documents are
# only ever served through permission-checked views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "clamtex.core.staticfiles.ManifestStaticFilesStorage"
        )
    },
}
# Brotli copies of the static files beside the gzip ones (slower collectstatic).
STATIC_BROTLI = os.environ.get("STATIC_BROTLI", "0") == "1"

# --- Files (uploads and generated files) -------------------------------------------------
# Every uploaded or generated file goes through the "default" storage: MEDIA_ROOT on this
# machine's disk unless S3_BUCKET is set, then any S3-compatible bucket (AWS S3, Scaleway,
# OVH, MinIO...), which every web server and worker shares. Objects are private (no ACL,
# never a public URL); they are served by permission-checked views (clamtex/core/files.py).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
# How a private download leaves the portal once its permission is checked: "redirect" to a
# presigned URL of the bucket valid FILES_URL_EXPIRE seconds (at most 60; the web servers
# carry no bytes, but the browser must reach S3_ENDPOINT_URL), or "stream" through the web
# server (always the case on the local disk).
FILES_DOWNLOAD = os.environ.get("FILES_DOWNLOAD", "redirect" if S3_BUCKET else "stream")
FILES_URL_EXPIRE = min(int(os.environ.get("FILES_URL_EXPIRE", "60")), 60)
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "default_acl": None,  # the bucket's policy: private
            "querystring_auth": True,  # every URL is signed...
            "querystring_expire": FILES_URL_EXPIRE,  # ...and expires within a minute
            "file_overwrite": False,  # never replace another row's file
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
        },
    }

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MEMBER_IMPORT_MAX_BYTES = 5 * 1024 * 1024
MEMBER_IMPORT_MAX_ROWS = 10_000

# --- Email ------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "CLAMTEX Portal <noreply@clamtex.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (production values apply whenever DEBUG is off) --------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)

# Text lines by default, one JSON object per line with LOG_FORMAT=json; request ids,
# secrets in URLs masked, 4xx without traceback (clamtex/core/logs.py).
LOGGING = logging_config(
    log_format=os.environ.get("LOG_FORMAT", "text").strip().lower(),
    level=os.environ.get("LOG_LEVEL", "INFO"),
)

COUNTRIES_FIRST = ["ES", "PT", "FR"]
# Kosovo takes part in COSME; it has no ISO 3166 code yet (XK is the common user code).
COUNTRIES_OVERRIDE = {"XK": _("Kosovo")}
FORMS_URLFIELD_ASSUME_HTTPS = True
PAGINATE_BY = 25
# Generated progress reports are deleted after this many days.
PROJECTS_REPORT_RETENTION_DAYS = int(os.environ.get("PROJECTS_REPORT_RETENTION_DAYS", "30"))

# --- Production operations (issue 10): names, sessions, request ids, metrics, Sentry -------
# The portal's name in every email (allauth's too) and in authenticator apps; links in
# emails always start with SITE_URL.
PORTAL_NAME = os.environ.get("PORTAL_NAME", "CLAMTEX Portal").strip() or "CLAMTEX Portal"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PORTAL_NAME}] "
MFA_TOTP_ISSUER = PORTAL_NAME
# Sessions are read from Redis and kept in PostgreSQL: every web node sees the same
# session, and a Redis restart logs nobody out.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Every request gets an id (X-Request-ID), logged and passed to the Celery tasks it queues.
# django-prometheus measures every request: its two middlewares wrap all the others.
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "clamtex.core.logs.RequestIdMiddleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
INSTALLED_APPS += ["django_prometheus"]
PROMETHEUS_EXPORT_MIGRATIONS = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Same backend, with query counts and latencies exported to /metrics.
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"
# /metrics answers a scraper with `Authorization: Bearer <METRICS_TOKEN>` or from one of
# METRICS_ALLOWED_IPS (addresses or networks); nobody else.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS")
# Load balancers and Prometheus probe over plain HTTP inside the network: no redirect.
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)$"]
# Worker and beat log through LOGGING too (same format, request ids), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Optional error reporting (no personal data, secrets masked): clamtex/core/sentry.py.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from clamtex.core.sentry import sentry_init

    sentry_init(SENTRY_DSN)
# --- Performance ----------------------------------------------------------------------
# Sessions are read from the cache (Redis in production) and written through to the
# database, so a request costs no session query; the database connection is kept for
# CONN_MAX_AGE seconds. BENCH=1 adds the bare view /bench/bare that `make bench` pairs
# every page with (never set it in production).
# (Without Redis the cache is one machine's file cache, so sessions stay plain database
# rows there: a logout on one node must not linger in another node's cache.)
SESSION_ENGINE = os.environ.get(
    "SESSION_ENGINE",
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db",
)
if DATABASE_URL:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "600"))
BENCH = env_bool("BENCH")
# The directory counts at most this many rows and pages through them (beyond, it says
# "more than …" and asks to search or filter); an export of more rows than
# EXPORT_INLINE_MAX_ROWS runs as a background job with a download link.
DIRECTORY_EXACT_COUNT_LIMIT = 1_000
EXPORT_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_ROWS", "5000"))
# --- Security hardening (issue 13): MFA, reauthentication, rate limits, proxies, CSP ----
# Administrators, coordinators and cluster managers must set up TOTP (or a security key)
# before reaching any page; off in development so the demo accounts stay simple.
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", default=not DEBUG)
# Exports of personal data and signatures ask for the password/second factor again when
# it was not given in the last ACCOUNT_REAUTHENTICATION_TIMEOUT seconds.
REAUTHENTICATION_REQUIRED = env_bool("REAUTHENTICATION_REQUIRED", default=not DEBUG)
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Behind a reverse proxy every request comes from the proxy's address: tell allauth how
# to find the client's (either the number of proxies that append to X-Forwarded-For, or
# a header the proxy sets and clients cannot, such as X-Real-IP). Rate limits count per
# client IP, so a wrong value makes all users share one budget.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("ALLAUTH_TRUSTED_CLIENT_IP_HEADER") or None
# Failed logins count per address (key) first: one attacker trying random addresses from
# the office's IP does not lock a colleague out; the IP budget only stops bulk guessing.
ACCOUNT_RATE_LIMITS["login_failed"] = "60/m/ip,5/5m/key"
# Everything anonymous or bulk that makes the portal send email or do work.
ACCOUNT_RATE_LIMITS.update(
    {
        "event_register": "10/m/ip,30/h/ip,3/h/key",
        "event_register_colleague": "30/h/user",
        "exchange_signup": "10/m/ip,30/h/ip,3/h/key",
        "participants_message": "5/h/user",
        "member_import": "10/h/user",
        "report_request": "10/h/user",
    }
)
# Request bodies above this are refused before they are read (uploads are 10 MB at most).
REQUEST_MAX_BODY_BYTES = int(os.environ.get("REQUEST_MAX_BODY_BYTES", str(12 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "clamtex.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "clamtex.core.uploads.BodySizeLimitMiddleware",
)
# Before django-prometheus' last middleware, which must stay the outermost on the way out.
MIDDLEWARE[-1:-1] = [
    "csp.middleware.CSPMiddleware",
    "clamtex.core.security.PermissionsPolicyMiddleware",
    "clamtex.core.security.MFARequiredMiddleware",
]
INSTALLED_APPS += ["csp"]
TEMPLATES[0]["OPTIONS"]["context_processors"].append("csp.context_processors.nonce")
# Content-Security-Policy (django-csp 4): scripts only from our static files or with the
# per-request nonce; no inline handlers. Inline style attributes stay allowed (Bootstrap
# utilities in templates), which cannot run code.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": [],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- Data protection (privacy app) and audit trail ---------------------------------------
# How long personal data is kept once its purpose is over (days). Each rule runs nightly.
# Rejected or withdrawn ClusterXchange applications (never part of an exchange) and their
# documents are deleted this long after their last change.
PRIVACY_RETENTION_CLOSED_APPLICATIONS_DAYS = int(
    os.environ.get("PRIVACY_RETENTION_CLOSED_APPLICATIONS_DAYS", "365")
)
# Registrations of people without an account lose name, email and answers this long after
# the event ended (counts and attendance stay for the programme's indicators); ones never
# confirmed by email, this long after they were made.
PRIVACY_RETENTION_ANONYMOUS_REGISTRATIONS_DAYS = int(
    os.environ.get("PRIVACY_RETENTION_ANONYMOUS_REGISTRATIONS_DAYS", "365")
)
PRIVACY_RETENTION_UNCONFIRMED_REGISTRATIONS_DAYS = int(
    os.environ.get("PRIVACY_RETENTION_UNCONFIRMED_REGISTRATIONS_DAYS", "30")
)
# Outbox rows that were sent, failed or cancelled lose their body (context) and error text.
PRIVACY_RETENTION_OUTBOX_BODIES_DAYS = int(
    os.environ.get("PRIVACY_RETENTION_OUTBOX_BODIES_DAYS", "90")
)
# Member import files uploaded but never confirmed.
PRIVACY_RETENTION_IMPORTS_DAYS = int(os.environ.get("PRIVACY_RETENTION_IMPORTS_DAYS", "2"))
# "Download my data": the ZIP and its emailed link expire after this many days.
PRIVACY_DATA_EXPORT_DAYS = int(os.environ.get("PRIVACY_DATA_EXPORT_DAYS", "7"))
# Audit events (exports, downloads, payments, role changes) are kept this long.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "730"))
# --- REST API and webhooks -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.drf.TokenScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.drf.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": os.environ.get("API_RATE_LIMIT", "120/min")},
    "DEFAULT_PAGINATION_CLASS": "api.drf.Cursor",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.problem_details",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CLAMTEX Portal API",
    "DESCRIPTION": (
        "Read the partnership's clusters, members, events, ClusterXchange and KPIs with the "
        "same scoping as the portal's pages. Authenticate with a personal token: "
        "`Authorization: Bearer ctx_…` (create it on your profile page)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # assets from static/, no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.errors.document_problems",
    ],
}
# Deliveries are retried with exponential backoff for this long, then marked failed.
WEBHOOK_RETRY_WINDOW_SECONDS = int(os.environ.get("WEBHOOK_RETRY_WINDOW_SECONDS", "86400"))
WEBHOOK_TIMEOUT_SECONDS = int(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
# A subscription is disabled (and its managers emailed) after this many failed deliveries.
WEBHOOK_DISABLE_AFTER_FAILURES = int(os.environ.get("WEBHOOK_DISABLE_AFTER_FAILURES", "5"))
# Endpoints on private or loopback addresses are refused unless this is on (development).
WEBHOOK_ALLOW_PRIVATE_URLS = env_bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=DEBUG)
