"""Caseworker settings: one module, everything from the environment (see README)."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from caseworker.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# The local demo of `make run`: demo encryption keys kept in var/, and the second factor
# may be switched off (every page then says so). Never in production.
DEMO = env_bool("DEMO", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set (or DEBUG=true for local development)")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
ORG_NAME = env_str("ORG_NAME", "Caseworker Legal Aid")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "caseworker.apps.CaseworkerAdminConfig",
    "caseworker.apps.CaseworkerConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    # Before accounts, whose admin module unregisters their device admins (a TOTP key
    # shown in the admin would let its reader pass as the device's owner).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "audit",
    "agencies",
    "cases",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files keep their long cache; every other response is no-store.
    "caseworker.headers.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    # A view that cannot reach the database answers 503, not a 500 traceback.
    "caseworker.unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    # One audit entry per list of client data shown, and per request for another's id.
    "audit.middleware.ReadAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the 429 page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes): failures count per username AND address together, so
# nobody can lock a colleague out from another address; the site and admin logins alike.
# Unknown usernames are counted and answered exactly like known ones.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# Two-factor sign-in (an authenticator app, or a one-time recovery code) for every user,
# the admin site and token creation included. Only the local demo (DEMO) may turn it off;
# every page then says so.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
if not TWO_FACTOR_REQUIRED and not (DEBUG or DEMO):
    raise ImproperlyConfigured("TWO_FACTOR_REQUIRED=false is allowed only in the demo (DEMO=true)")
OTP_TOTP_ISSUER = ORG_NAME
# django-otp doubles the wait after each wrong code (1 s, 2 s, 4 s ...) per device.
OTP_TOTP_THROTTLE_FACTOR = OTP_STATIC_THROTTLE_FACTOR = 1

ROOT_URLCONF = "caseworker.urls"
WSGI_APPLICATION = "caseworker.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "caseworker.context_processors.org",
            ],
        },
    },
]

# DATABASE_URL unset: an SQLite file so a checkout runs with no services.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    # Fail fast when PostgreSQL is unreachable (the 503 page), and optionally cap each
    # statement: compose sets DB_STATEMENT_TIMEOUT for web only; report renders raise
    # their own limit with SET LOCAL.
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
    _server_settings = []
    if env_int("DB_STATEMENT_TIMEOUT", 0):
        _server_settings.append(f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT', 0)}s")
    # Web pages read a page of rows: a parallel worker costs more to start than it saves
    # and takes a core from the next request. Compose sets 0 for web; reports keep them.
    if env_str("DB_PARALLEL_WORKERS"):
        _server_settings.append(
            f"-c max_parallel_workers_per_gather={env_int('DB_PARALLEL_WORKERS', 0)}"
        )
    if _server_settings:
        _db_options["options"] = " ".join(_server_settings)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "caseworker.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A password reset link works once, for this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_MINUTES", 60) * 60

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded attachments and generated PDFs live outside the web root and are only
# served through access-checked views: there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "private")))
MEDIA_URL = "/private-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)

# Encryption at rest (caseworker.lib.crypto): Fernet keys, the first encrypts and all
# decrypt (rotation: add a key in front, run `manage.py rotate_keys`, drop the old one);
# the blind-index key hashes A-numbers and dates of birth for exact lookups. Under DEBUG
# with neither set, demo keys are generated once into VAR_DIR (never in production).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
BLIND_INDEX_KEY = env_str("BLIND_INDEX_KEY")
if (DEBUG or DEMO) and not FIELD_ENCRYPTION_KEYS and not BLIND_INDEX_KEY:
    from caseworker.lib.crypto import demo_keys

    FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY = demo_keys(VAR_DIR / "demo-keys.json")
# Closed cases older than this are anonymised by `manage.py retention_run` (daily task).
RETENTION_YEARS = env_int("RETENTION_YEARS", 7)
# A posted case search is kept under an opaque id this long (its address holds no terms).
SEARCH_TTL_MINUTES = env_int("SEARCH_TTL_MINUTES", 120)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Enforced by accounts.middleware: the longest a sign-in lasts, and the longest idle gap.
SESSION_MAX_SECONDS = SESSION_COOKIE_AGE
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("SECURE_PROXY_SSL", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS is on (a year) as soon as the site is served over HTTPS, off for plain-http demos.
_HTTPS = env_bool("SECURE_PROXY_SSL", False) or SECURE_SSL_REDIRECT
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Content-Security-Policy (django-csp): scripts, styles and everything else from this site
# only; no inline script or style anywhere (app.js and the stylesheets hold them), no
# framing, forms post only here. htmx is configured not to inject its indicator <style>.
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

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "caseworker@localhost")

# Days a personal API token works before its owner makes a new one.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)
API_THROTTLE_USER = env_str("API_THROTTLE_USER", "600/minute")
API_THROTTLE_ANON = env_str("API_THROTTLE_ANON", "60/minute")
REST_FRAMEWORK = {
    # Token first: an anonymous request gets 401 with `WWW-Authenticate: Token`, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "caseworker.lib.api.PerUserThrottle",
        "caseworker.lib.api.AnonThrottle",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["caseworker.lib.api.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "caseworker.lib.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Caseworker API",
    "VERSION": "1.0.0",
    "DESCRIPTION": "Authenticate with your browser session, or with a personal token made on "
    "your account page (/account/) and sent as `Authorization: Token <key>`; tokens expire "
    f"after {API_TOKEN_DAYS} days and are revoked by a password change. Lists are cursor-paginated "
    "(`next`/`previous` links, `page_size` up to 200); unknown query parameters are a 400.",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Separate request/response components: read-only fields never appear in bodies.
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "caseworker.lib.api.error_responses_hook",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CaseOutcomeEnum": "cases.models.CaseOutcome",
        "DetentionOutcomeEnum": "cases.models.DetentionOutcome",
        "CaseStatusEnum": "cases.models.CaseStatus",
        "DeadlineKindEnum": "cases.models.DeadlineKind",
        "ReportKindEnum": "reports.models.ReportKind",
        "AgreementStatusEnum": "agencies.models.AgreementStatus",
        "ImportStatusEnum": "agencies.models.ImportStatus",
        "PeriodStatusEnum": [("pending", "Pending"), ("active", "Active")],
    },
}

# Celery: CELERY_BROKER_URL unset means tasks run in-process (eager), so a checkout
# works with no Redis. Production sets it (see docker-compose.yml).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# Short broker timeouts so a down or hung Redis fails a send in seconds, not minutes
# (requests catch that; the reports reconciler sends the row later).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "socket_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 5),
    "socket_connect_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 5),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_SOCKET_TIMEOUT", 5)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ROUTES = {"reports.tasks.*": {"queue": "reports"}}
CELERY_BEAT_SCHEDULE: dict = {}

# Reports: counts below the threshold print as "<N" in de-identified reports; listings
# longer than the cap go only to the companion CSV/XLSX; seconds a render may take.
REPORT_SUPPRESSION_THRESHOLD = env_int("REPORT_SUPPRESSION_THRESHOLD", 5)
# Every other count in a de-identified report prints rounded to this base; a median
# prints only over at least this many values (see reports.figures.base.Counts).
REPORT_ROUNDING_BASE = env_int("REPORT_ROUNDING_BASE", 5)
REPORT_MEDIAN_MIN_N = env_int("REPORT_MEDIAN_MIN_N", 10)
REPORT_LISTING_CAP = env_int("REPORT_LISTING_CAP", 1000)
REPORT_TIME_LIMIT = env_int("REPORT_TIME_LIMIT", 600)
# The reconciler re-sends reports queued this long and fails one after this many claims.
REPORT_STUCK_MINUTES = env_int("REPORT_STUCK_MINUTES", 5)
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 3)
REPORT_RECONCILE_MINUTES = env_int("REPORT_RECONCILE_MINUTES", 2)
CELERY_BEAT_SCHEDULE["reports-reconcile"] = {
    "task": "reports.tasks.reports_reconcile",
    "schedule": REPORT_RECONCILE_MINUTES * 60,
    "options": {"expires": REPORT_RECONCILE_MINUTES * 60 * 0.9},
}

CELERY_BEAT_SCHEDULE["cases-retention"] = {
    "task": "cases.tasks.retention_run",
    "schedule": 24 * 3600,
    "options": {"expires": 23 * 3600},
}

IMPORT_287G_INTERVAL = timedelta(hours=env_int("IMPORT_287G_INTERVAL_HOURS", 24))
# ICE renames its list files at every update, so the default is the 287(g) page, whose
# links to the current files under /doclib/about/offices/ero/287g/ are followed. Direct
# .xlsx/.csv addresses work too. Set it empty to turn the scheduled fetch off.
ICE_287G_URLS = env_list("ICE_287G_URLS", "https://www.ice.gov/identify-and-arrest/287g")
ICE_287G_ALLOWED_HOSTS = env_list("ICE_287G_ALLOWED_HOSTS", "www.ice.gov,ice.gov")
ICE_287G_MAX_BYTES = env_int("ICE_287G_MAX_BYTES", 20 * 1024 * 1024)
ICE_287G_FETCH_TIMEOUT = env_int("ICE_287G_FETCH_TIMEOUT", 60)
# Plain http only for a local mirror (and the tests' loopback server).
ICE_287G_ALLOW_HTTP = env_bool("ICE_287G_ALLOW_HTTP", False)
# The reconciler re-queues imports queued or running longer than ICE_287G_STUCK_MINUTES
# (keep it above the import task's 5-minute time limit).
ICE_287G_RECONCILE_MINUTES = env_int("ICE_287G_RECONCILE_MINUTES", 10)
ICE_287G_STUCK_MINUTES = env_int("ICE_287G_STUCK_MINUTES", 15)
if ICE_287G_URLS:
    CELERY_BEAT_SCHEDULE["agencies-fetch-287g"] = {
        "task": "agencies.tasks.agreements_fetch",
        "schedule": IMPORT_287G_INTERVAL.total_seconds(),
        "options": {"expires": IMPORT_287G_INTERVAL.total_seconds() * 0.9},
    }
CELERY_BEAT_SCHEDULE["agencies-reconcile-imports"] = {
    "task": "agencies.tasks.imports_reconcile",
    "schedule": ICE_287G_RECONCILE_MINUTES * 60,
    "options": {"expires": ICE_287G_RECONCILE_MINUTES * 60 * 0.9},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_query_strings": {"()": "caseworker.lib.logfilters.DropQueryStrings"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint logs every rendering step at INFO; keep its warnings only.
        "weasyprint.progress": {"level": "WARNING"},
        # runserver's access log: paths without query strings (client data; issue 17).
        "django.server": {
            "handlers": ["console"],
            "filters": ["no_query_strings"],
            "level": "INFO",
            "propagate": False,
        },
    },
}
