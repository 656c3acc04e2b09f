"""eBOK settings, read from the environment (12-factor).

The embedded default (no variables set) is a single-machine development setup: SQLite in the
project, Celery tasks run in-process, SMS and e-mail to the console and the database outbox.
Production sets DEBUG=false, SECRET_KEY, DATABASE_URL, REDIS_URL and the provider credentials;
`manage.py check --deploy` is then clean.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
# The development key is only ever accepted with DEBUG on; production must provide its own.
_DEV_SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "phonenumber_field",
    "django_countries",  # country names in Polish and English (applications)
    "rest_framework",
    "drf_spectacular",
    # Local, bottom layer first
    "ebok",
    "notifications",
    "accounts",
    "contracts",
    "invoices",
    "requests_app",
    "documents",
    "contracts.fleet",
    "feed",
]

MIDDLEWARE = [
    # First: the orchestrator's probes are answered before host validation and the HTTPS
    # redirect (ebok/health.py); then an outage (Redis down) becomes a 503 page, not a 500.
    "ebok.health.HealthCheckMiddleware",
    "ebok.errors.OutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "ebok.middleware.UploadNameMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files stay cacheable, everything else is "no-store, private".
    "ebok.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ebok.middleware.PolishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.ClientSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "ebok.urls"
WSGI_APPLICATION = "ebok.wsgi.application"

# Templates: the project's templates/ first, then the apps'. In production every template is
# read and compiled once per process (the cached loader); with DEBUG an edited template shows at
# the next request. The outer loader serves `page.html#partial` (django-template-partials: the
# part of a page an HTMX request replaces); set here, its app does not wrap the loaders again.
_TEMPLATE_LOADERS: list = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
if not DEBUG:
    _TEMPLATE_LOADERS = [("django.template.loaders.cached.Loader", _TEMPLATE_LOADERS)]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "loaders": [("template_partials.loader.Loader", _TEMPLATE_LOADERS)],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "ebok.context_processors.portal",
            ],
            "builtins": ["ebok.templatetags.ebok"],
        },
    }
]

# Databases: DATABASE_URL, or a SQLite file in the project for the embedded default.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # An unreachable database fails a request in seconds (a 503 page), not when the OS gives
    # up on the TCP connection minutes later.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: broker, result backend and cache. Absent -> tasks run eagerly, local-memory cache.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ebok"),
            # A dead or unreachable Redis must fail a request in about a second (a 503 page),
            # not hold a gunicorn worker until the OS gives up on the connection.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The in-memory broker of the embedded default names its host: without one, kombu logs
# "No hostname was supplied. Reverting to default 'localhost'" at every task sent.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Warsaw"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A dead Redis must not hold a web request that queues a task (or a worker) for minutes: the
# broker's sockets time out, and publishing gives up after two quick retries (the caller's
# error handling or the outbox sweep takes over).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = env.str("LOGIN_REDIRECT_URL", default="/")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Polish first, English complete.
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("polski")), ("en", _("angielski"))]
LOCALE_PATHS = [BASE_DIR / "ebok" / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if env.str("AWS_STORAGE_BUCKET_NAME", default=""):
    # S3-compatible media (MinIO, Ceph, AWS) for multi-host deployments.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# E-mail: console by default; EMAIL_URL (smtp+tls://user:pass@host:587) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds an SMTP connection may wait for the server: without it a server that stops answering
# holds a worker for good (Django's default is no timeout).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="eBOK <ebok@leasing.example.pl>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SMS: "outbox" (console + database, the embedded default), "console" or "twilio".
SMS_BACKEND = env.str("SMS_BACKEND", default="outbox")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
# Only for tests and staging: send the SDK's requests to another base URL.
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")
TWILIO_TIMEOUT = env.float("TWILIO_TIMEOUT", default=10.0)
# Outbox delivery: transient failures are retried with backoff up to this many attempts; the
# periodic sweep re-queues rows still waiting this many seconds after they were due.
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=12)
NOTIFY_SWEEP_GRACE = env.int("NOTIFY_SWEEP_GRACE", default=120)
# A row claimed for sending ("sending") this many seconds ago lost its worker mid-send: the
# sweep marks it "uncertain" (never resent blindly). Longer than any provider/SMTP timeout.
NOTIFY_SENDING_GRACE = env.int("NOTIFY_SENDING_GRACE", default=300)
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep-outbox": {
        "task": "notifications.tasks.sweep_outbox",
        "schedule": env.float("NOTIFY_SWEEP_INTERVAL", default=60.0),
    },
    # Critical requests never confirmed with their SMS code (and their files), after a day.
    "requests-purge-drafts": {"task": "requests_app.tasks.purge_drafts", "schedule": 6 * 3600.0},
}
# Daily notification scans (notifications.events.register_scan; Europe/Warsaw times): each is
# set-based and idempotent, so a second run (or a second beat) sends nothing twice. The overdue
# notice catches up on invoices that passed their due date this many days back at most.
NOTIFY_OVERDUE_WINDOW_DAYS = 7
NOTIFY_SCAN_HOUR = 8  # change a scan's time in admin (Periodic tasks)
for _scan, _minute in (
    ("invoices.payment_due", 0),
    ("invoices.overdue", 5),
    ("contracts.policy_expiring", 10),
    ("documents.unread", 15),
):
    CELERY_BEAT_SCHEDULE[f"notifications-scan-{_scan.replace('.', '-')}"] = {
        "task": "notifications.tasks.run_scan",
        "schedule": crontab(hour=NOTIFY_SCAN_HOUR, minute=_minute),
        "args": (_scan,),
    }

# Client sign-in (accounts): masked password + SMS code. See README "Security model".
# The pepper keys the masks of the password shares; it lives outside the database, so a
# database dump alone reveals nothing. Production must set it (a long random string).
_DEV_PEPPER = "dev-only-masked-password-pepper-never-use-in-production"
MASKED_PASSWORD_PEPPER = env.str(
    "MASKED_PASSWORD_PEPPER", default=_DEV_PEPPER if DEBUG else environ.Env.NOTSET
)
# Rotation: every masked password records its pepper's version. Retired peppers
# ("version:value,...") still open the records masked under them, which are re-masked with the
# current pepper at their user's next successful sign-in. See README "Rotating the pepper".
MASKED_PASSWORD_PEPPER_VERSION = env.int("MASKED_PASSWORD_PEPPER_VERSION", default=1)
MASKED_PASSWORD_RETIRED_PEPPERS = env.list("MASKED_PASSWORD_RETIRED_PEPPERS", default=[])
MASKED_PASSWORD_POSITIONS = env.int("MASKED_PASSWORD_POSITIONS", default=5)
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=12)
PASSWORD_MAX_LENGTH = env.int("PASSWORD_MAX_LENGTH", default=24)
# scrypt cost of the slow hash (N=2^15, r=8: ~32 MiB and ~0.1 s per check).
MASKED_PASSWORD_SCRYPT_N = env.int("MASKED_PASSWORD_SCRYPT_N", default=2**15)
FIRST_SIGNIN_PASSWORD_VALID_HOURS = env.int("FIRST_SIGNIN_PASSWORD_VALID_HOURS", default=72)
SIGNIN_MAX_FAILURES = env.int("SIGNIN_MAX_FAILURES", default=3)
SIGNIN_FLOW_TIMEOUT = env.int("SIGNIN_FLOW_TIMEOUT", default=10 * 60)
# Per client IP, POSTs to the sign-in steps (django-ratelimit syntax), and first-password sets.
SIGNIN_RATE_LIMIT = env.str("SIGNIN_RATE_LIMIT", default="30/10m")
# Behind a proxy: a META key ("HTTP_X_REAL_IP") or dotted callable that returns the client IP.
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="") or None
SMS_CODE_VALIDITY = env.int("SMS_CODE_VALIDITY", default=300)
SMS_CODE_RESEND_COOLDOWN = env.int("SMS_CODE_RESEND_COOLDOWN", default=60)
SMS_CODE_THROTTLE_FACTOR = env.int("SMS_CODE_THROTTLE_FACTOR", default=1)
SMS_DAILY_LIMIT_PER_USER = env.int("SMS_DAILY_LIMIT_PER_USER", default=20)
# Client sessions end after this much inactivity, and in any case this long after sign-in.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=15 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
# A development aid: /dev/outbox lists the latest SMS (with codes) when DEBUG is on.
DEV_OUTBOX_PAGE = DEBUG

# Self-service (accounts): password reset by e-mailed link + SMS code, access applications.
# The reset link is valid this long (Django's own setting, read by the token generator) and
# works once; an account gets at most one reset e-mail per interval; per-IP limits on the
# public forms (django-ratelimit syntax).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=72 * 60 * 60)
PASSWORD_RESET_EMAIL_INTERVAL = env.int("PASSWORD_RESET_EMAIL_INTERVAL", default=10 * 60)
PASSWORD_RESET_RATE_LIMIT = env.str("PASSWORD_RESET_RATE_LIMIT", default="10/h")
ACCESS_APPLICATION_RATE_LIMIT = env.str("ACCESS_APPLICATION_RATE_LIMIT", default="5/h")
# Self-registration ("Zarejestruj się"): attempts per IP and per client number, how long the
# activation link works, how old the invoice named may be, and the versions of the terms and
# the data-processing notice the registrant accepts (recorded with the consents).
REGISTRATION_RATE_LIMIT = env.str("REGISTRATION_RATE_LIMIT", default="5/h")
REGISTRATION_CLIENT_RATE_LIMIT = env.str("REGISTRATION_CLIENT_RATE_LIMIT", default="5/d")
REGISTRATION_LINK_VALID_HOURS = env.int("REGISTRATION_LINK_VALID_HOURS", default=72)
REGISTRATION_INVOICE_DAYS = env.int("REGISTRATION_INVOICE_DAYS", default=90)
TERMS_VERSION = env.str("TERMS_VERSION", default="2026-01")
PRIVACY_NOTICE_VERSION = env.str("PRIVACY_NOTICE_VERSION", default="2026-01")
# Registrations whose queued check never ran (a broker outage) are checked by this sweep.
CELERY_BEAT_SCHEDULE["accounts-sweep-registrations"] = {
    "task": "accounts.tasks.sweep_registrations",
    "schedule": 300.0,
}
# Links in e-mails (password reset) start with this, e.g. "https://ebok.leasing.pl"; empty:
# the request's host, which ALLOWED_HOSTS must then pin (a forged Host header must never
# choose where a reset link points).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")
# A phone number change in the profile: how long the old number's confirmation waits for the
# code sent to the new number.
CONTACT_CHANGE_TIMEOUT = env.int("CONTACT_CHANGE_TIMEOUT", default=10 * 60)
# A new e-mail address takes effect only when the link sent to it is followed, within this.
EMAIL_CHANGE_TIMEOUT = env.int("EMAIL_CHANGE_TIMEOUT", default=24 * 60 * 60)

PHONENUMBER_DEFAULT_REGION = "PL"
PHONENUMBER_DEFAULT_FORMAT = "E164"

# The lessor: the seller on every invoice.
LESSOR = {
    "name": env.str("LESSOR_NAME", default="eBOK Leasing Polska S.A."),
    "street": env.str("LESSOR_STREET", default="ul. Marszałkowska 142"),
    "postal_code": env.str("LESSOR_POSTAL_CODE", default="00-061"),
    "city": env.str("LESSOR_CITY", default="Warszawa"),
    "nip": env.str("LESSOR_NIP", default="5260250274"),
    "krs": env.str("LESSOR_KRS", default="0000012345"),
    "bank_name": env.str("LESSOR_BANK_NAME", default="Bank Przykładowy S.A."),
    "bank_account": env.str("LESSOR_BANK_ACCOUNT", default="PL61109010140000071219812874"),
    "phone": env.str("LESSOR_PHONE", default="+48 22 100 20 30"),
    "email": env.str("LESSOR_EMAIL", default="bok@leasing.example.pl"),
}
VAT_RATE = 23  # percent, standard Polish rate for leasing services
INVOICE_PAYMENT_TERM_DAYS = env.int("INVOICE_PAYMENT_TERM_DAYS", default=14)

# Online payment of invoices (invoices/online/): "payu" with credentials, else the demo gateway
# (a page of the portal plays the gateway; no money moves). One order may not exceed the limit.
PAYU = {
    "api_url": env.str("PAYU_API_URL", default="https://secure.snd.payu.com"),
    "pos_id": env.str("PAYU_POS_ID", default=""),
    "client_id": env.str("PAYU_CLIENT_ID", default=""),
    "client_secret": env.str("PAYU_CLIENT_SECRET", default=""),
    "second_key": env.str("PAYU_SECOND_KEY", default=""),
}
ONLINE_PAYMENT_GATEWAY = env.str(
    "ONLINE_PAYMENT_GATEWAY", default="payu" if PAYU["client_secret"] else "demo"
)
ONLINE_PAYMENT_MAX_AMOUNT = Decimal(env.str("ONLINE_PAYMENT_MAX_AMOUNT", default="100000.00"))
# KSeF: the verification QR code ("KOD I") on an invoice with a KSeF number links here (the test
# environment: https://qr-test.ksef.mf.gov.pl).
KSEF_QR_BASE_URL = env.str("KSEF_QR_BASE_URL", default="https://qr.ksef.mf.gov.pl")
POLICY_EXPIRING_DAYS = env.int("POLICY_EXPIRING_DAYS", default=30)
# Document exchange: the largest file a client or staff member may upload, and after how many
# days an unopened document earns its reminder (the "documents.unread" scan).
DOCUMENT_MAX_UPLOAD_MB = env.int("DOCUMENT_MAX_UPLOAD_MB", default=20)
DOCUMENT_REMINDER_DAYS = env.int("DOCUMENT_REMINDER_DAYS", default=3)

# Downloads and reports. An Excel report with more rows than the threshold is written by a
# Celery task (progress on screen, link when ready); its file is deleted after the retention.
EXPORT_ASYNC_THRESHOLD = env.int("EXPORT_ASYNC_THRESHOLD", default=5000)
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=24)
# A job still pending or running after this long is marked failed (a last resort: the sweep
# below restarts or fails a job whose worker died within minutes).
EXPORT_JOB_TIMEOUT_MINUTES = env.int("EXPORT_JOB_TIMEOUT_MINUTES", default=60)
# A running job's worker renews its lease as it writes; a lease this old means the worker is
# dead: the sweep starts the job over, at most EXPORT_JOB_MAX_ATTEMPTS runs in all, then fails
# it. A pending job whose task has not started this long after it was sent (broker down) is
# sent again.
EXPORT_JOB_LEASE_SECONDS = env.int("EXPORT_JOB_LEASE_SECONDS", default=120)
EXPORT_JOB_MAX_ATTEMPTS = env.int("EXPORT_JOB_MAX_ATTEMPTS", default=3)
EXPORT_JOB_QUEUE_GRACE_SECONDS = env.int("EXPORT_JOB_QUEUE_GRACE_SECONDS", default=60)
# Invoices in one ZIP download. When every PDF is stored the ZIP is sent at once (with its
# Content-Length); when some must be rendered first it becomes an export job.
INVOICE_ZIP_MAX_INVOICES = env.int("INVOICE_ZIP_MAX_INVOICES", default=500)
# Render each invoice's PDF in the worker once the invoice is issued (after commit). Off by
# default on the embedded default, where tasks run in-process: there the PDF is rendered on
# first download, and `seed_demo` does not render hundreds of PDFs inline.
INVOICE_PDF_ON_ISSUE = env.bool("INVOICE_PDF_ON_ISSUE", default=not CELERY_TASK_ALWAYS_EAGER)
CELERY_BEAT_SCHEDULE["ebok-purge-old-exports"] = {
    "task": "ebok.tasks.purge_old_exports",
    "schedule": 60.0 * 60,
}
CELERY_BEAT_SCHEDULE["ebok-sweep-export-jobs"] = {
    "task": "ebok.tasks.sweep_export_jobs",
    "schedule": env.float("EXPORT_JOB_SWEEP_INTERVAL", default=60.0),
}

# Django admin for back-office staff: password + TOTP (django-otp).
OTP_TOTP_ISSUER = "eBOK Leasing"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sessions live in the database (or cache-backed DB) so web processes hold no state.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else ("django.contrib.sessions.backends.db")
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO; fontTools logs font subsetting.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The core system feed (feed/): the import API /api/core/v1/ and the nightly JSON Lines batch.
# See README "The core system feed".
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "eBOK core system feed",
    "DESCRIPTION": "Import API for the lessor's core leasing system.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/core/v[0-9]+",
}
# Payments: "portal" (the portal settles them, oldest due first, or the invoice the payment
# names) or "core" (each payment carries the core system's allocation). One per deployment.
FEED_PAYMENT_ALLOCATION = env.str("FEED_PAYMENT_ALLOCATION", default="portal")
# A request body above this is refused (413); a batch holds at most this many records.
FEED_MAX_BODY_BYTES = env.int("FEED_MAX_BODY_BYTES", default=5 * 1024 * 1024)
FEED_MAX_RECORDS = env.int("FEED_MAX_RECORDS", default=5000)
# Requests per API client and minute, unless the client has its own limit.
FEED_RATE_LIMIT_PER_MINUTE = env.int("FEED_RATE_LIMIT_PER_MINUTE", default=60)
# Where the nightly batch files are read from: a folder, or an S3-compatible bucket
# (FEED_INBOX_BUCKET, with the AWS_* credentials of django-storages).
FEED_INBOX_DIR = env.path("FEED_INBOX_DIR", default=BASE_DIR / "var" / "feed-inbox")
FEED_INBOX_BUCKET = env.str("FEED_INBOX_BUCKET", default="")
STORAGES["feed_inbox"] = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": FEED_INBOX_BUCKET,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
        },
    }
    if FEED_INBOX_BUCKET
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(FEED_INBOX_DIR)},
    }
)
# A reconciliation difference above this (PLN) is flagged to staff.
FEED_RECONCILIATION_TOLERANCE = Decimal(env.str("FEED_RECONCILIATION_TOLERANCE", default="0.00"))
# The nightly import of the files waiting in the inbox (Europe/Warsaw time).
CELERY_BEAT_SCHEDULE["feed-nightly-import"] = {
    "task": "feed.tasks.import_nightly_batches",
    "schedule": crontab(hour=env.int("FEED_NIGHTLY_HOUR", default=2), minute=30),
}
