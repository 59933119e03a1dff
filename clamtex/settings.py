"""Settings for the CLAMTEX portal.

Everything that differs between a laptop and production comes from environment variables
(see .env.example). Without any variable set, the portal runs on SQLite with a Celery
broker on the local filesystem, so `make run` needs no server.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-change-me-clamtex-portal-0123456789"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
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
    "clamtex.core",
    "members",
    "projects",
    "workshops",
    "exchange",
    "notifications",
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
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
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
    # Impact follow-up: surveys 3, 6 and 12 months after a validated exchange or a training
    # (one invitation and one reminder per person and milestone; exchange/impact.py).
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
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CLAMTEX] "
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
MFA_TOTP_ISSUER = "CLAMTEX Portal"

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

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
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
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own console handler would print every request error a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

COUNTRIES_FIRST = ["ES", "PT", "FR"]
# Kosovo takes part in COSME; it has no ISO 3166 code yet (XK is the common user code).
COUNTRIES_OVERRIDE = {"XK": _("Kosovo")}
FORMS_URLFIELD_ASSUME_HTTPS = True
PAGINATE_BY = 25
# Generated progress reports are deleted after this many days.
PROJECTS_REPORT_RETENTION_DAYS = int(os.environ.get("PROJECTS_REPORT_RETENTION_DAYS", "30"))
