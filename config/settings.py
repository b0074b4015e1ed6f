"""Attest settings, driven by the environment (django-environ).

DJANGO_ENV=production turns on the hardened settings that `manage.py check --deploy` expects;
anything else is a development run on the embedded defaults (SQLite, embedded broker).
"""

from datetime import timedelta
from pathlib import Path

import environ

from config import broker

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("ATTEST_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

ATTEST_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = ATTEST_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
else:
    # Development only: a fixed key so sessions survive restarts of `make run`.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-attest-0b7f4c2e9a1d4e6f8a3b5c7d9e1f2a4b")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "compliance.audit",
    "products",
    "dashboard",
    "compliance.rules",
    "compliance.kyc",
    "compliance.sanctions",
    "compliance.disclosures",
    "compliance.eligibility",
    "delivery",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RejectNullCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "compliance.audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'attest.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if env.str("ATTEST_TEST_DB", default=""):
    # Lets parallel test runs on one PostgreSQL server use separate test databases.
    DATABASES["default"]["TEST"] = {"NAME": env.str("ATTEST_TEST_DB")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; the timeout waits out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("ATTEST_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery -------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_AVAILABLE = bool(REDIS_URL) and broker.redis_answers(REDIS_URL)

if REDIS_AVAILABLE:
    CACHES = {
        "default": {
            # django-redis rather than Django's own RedisCache: that one builds a new redis.Redis
            # client (about 130 µs of Python) for every cache call, and its incr takes two round
            # trips; on the screening API's rate limit that was half of each request's time.
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("ATTEST_CACHE_PREFIX", default="attest"),
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # With acks_late, Redis hands a message whose worker died back to the queue once it has
    # been unacknowledged this long (seconds). It must exceed the longest task; tests that
    # kill a worker set it small. The filesystem broker below has no such option.
    # kombu 5.7 sweeps for such messages every unacked_restore_interval (10 s) but scans Redis
    # only on every unacked_restore_throttle-th sweep (default 10, so every 100 s); a sweep is
    # one ZRANGE, so scan on each.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("ATTEST_BROKER_VISIBILITY_TIMEOUT", default=3600),
        "unacked_restore_throttle": 1,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = broker.filesystem_broker_options(VAR_DIR / "celery")
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery' / 'results'}"
    (VAR_DIR / "celery" / "results").mkdir(parents=True, exist_ok=True)

CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="attest")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {}
# Delivery: re-evaluate SLAs and attestation age of every approved/listed product (ingestion
# also queues an evaluation per affected product; this catches attestations that age).
CELERY_BEAT_SCHEDULE["delivery-evaluate-all"] = {"task": "delivery.tasks.evaluate_all", "schedule": 900.0}
# KYC: expire approved cases past their review date; sanctions: import changed list files
# (an unchanged checksum is a no-op; a new version re-screens every party).
# Audit: walk the whole hash chain hourly; the audit page only walks the events since.
ATTEST_AUDIT_FULL_WALK_SECONDS = env.int("ATTEST_AUDIT_FULL_WALK_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE["audit-chain-walk"] = {
    "task": "compliance.audit.tasks.audit_chain_walk_task",
    "schedule": float(ATTEST_AUDIT_FULL_WALK_SECONDS),
}
# Rules: re-run the checks of applications judged under pack versions no longer in force (a
# successor loaded in advance takes effect on a later day).
CELERY_BEAT_SCHEDULE["rules-rerun-stale"] = {"task": "compliance.rules.tasks.rules_rerun_stale", "schedule": 86400.0}
CELERY_BEAT_SCHEDULE["kyc-expire-cases"] = {"task": "compliance.kyc.tasks.kyc_expire_cases", "schedule": 3600.0}
CELERY_BEAT_SCHEDULE["sanctions-refresh-lists"] = {
    "task": "compliance.sanctions.tasks.sanctions_refresh_lists",
    "schedule": 6 * 3600.0,
}

# --- KYC and sanctions ---------------------------------------------------------------------
# Approval of an issuer's product requires an approved, unexpired, unsanctioned issuer KYB case.
ATTEST_REQUIRE_ISSUER_KYB = env.bool("ATTEST_REQUIRE_ISSUER_KYB", default=True)
# Score a screening hit must reach; None uses the matcher's measured DEFAULT_THRESHOLD.
ATTEST_SANCTIONS_THRESHOLD = env.float("ATTEST_SANCTIONS_THRESHOLD", default=None)
ATTEST_SANCTIONS_DATA_DIR = Path(
    env.str("ATTEST_SANCTIONS_DATA_DIR", default=str(BASE_DIR.parent / "shared" / "data" / "sanctions"))
)
ATTEST_KYC_DOCUMENT_MAX_BYTES = env.int("ATTEST_KYC_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# The largest JSON body the REST API reads (config/parsers.py): a KYC document at its limit,
# base64-encoded (4/3 of its size), and 1 MB for the other fields. Larger is a 413 unread.
ATTEST_API_MAX_BODY_BYTES = env.int(
    "ATTEST_API_MAX_BODY_BYTES", default=ATTEST_KYC_DOCUMENT_MAX_BYTES * 4 // 3 + 1024 * 1024
)

# --- REST API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "config.pagination.StrictLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

# Personal API tokens (django-rest-knox): stored as SHA-512 digests, never in clear; issued with
# `manage.py create_api_token` (shown once), revoked in the admin; both on the audit trail.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("ATTEST_API_TOKEN_DAYS", default=90)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Attest API",
    "DESCRIPTION": "Compliance and disclosure workflow for compute-backed financial products.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes the API, not its data: exchanges and tools may read it unauthenticated.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI assets ship in a package (no CDN): the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema_hooks.require_non_blank_strings",
        "config.schema_hooks.document_malformed_requests",
        "config.schema_hooks.document_oversize_bodies",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStateEnum": "products.models.ApplicationState.choices",
        "ListingStatusEnum": "products.models.ListingStatus.choices",
        "SanctionsSourceEnum": "compliance.sanctions.models.SourceCode.choices",
        # Delivery's severity choice set appears as both severity and peak_severity.
        "IncidentSeverityEnum": "delivery.models.Severity.choices",
        "DisclosureStatusEnum": "compliance.disclosures.models.DocumentStatus.choices",
        "DisclosureRenderingStatusEnum": "compliance.disclosures.models.RenderingStatus.choices",
        "RuleRunStatusEnum": "compliance.rules.models.RunStatus.choices",
        "RuleRunReasonEnum": "compliance.rules.models.RunReason.choices",
    },
}

# --- Eligibility screening API (compliance/eligibility/README.md) -------------------------
# How often a web process asks whether the snapshot version moved (the hot path never waits on it).
ELIGIBILITY_VERSION_CHECK_MS = env.int("ELIGIBILITY_VERSION_CHECK_MS", default=500)
ELIGIBILITY_VERSION_CACHE_SECONDS = env.int("ELIGIBILITY_VERSION_CACHE_SECONDS", default=5)
ELIGIBILITY_BACKGROUND_REBUILD = env.bool("ELIGIBILITY_BACKGROUND_REBUILD", default=True)
# Requests per key per window (0 = unlimited); high enough not to disturb the HTTP benchmark.
ELIGIBILITY_RATE_LIMIT = env.int("ELIGIBILITY_RATE_LIMIT", default=600_000)
ELIGIBILITY_RATE_WINDOW_SECONDS = env.int("ELIGIBILITY_RATE_WINDOW_SECONDS", default=60)
ELIGIBILITY_MAX_BATCH = env.int("ELIGIBILITY_MAX_BATCH", default=10_000)
ELIGIBILITY_MAX_BODY_BYTES = env.int("ELIGIBILITY_MAX_BODY_BYTES", default=8 * 1024 * 1024)
# A retry gets the first answer for this long; later, the same order is screened afresh (an
# answer hours old would describe a snapshot that may no longer hold).
ELIGIBILITY_IDEMPOTENCY_SECONDS = env.int("ELIGIBILITY_IDEMPOTENCY_SECONDS", default=600)
ELIGIBILITY_API_KEY_CACHE_SECONDS = env.int("ELIGIBILITY_API_KEY_CACHE_SECONDS", default=5)
ELIGIBILITY_API_KEY_CACHE_ENTRIES = env.int("ELIGIBILITY_API_KEY_CACHE_ENTRIES", default=10_000)
ELIGIBILITY_DECISION_LOG_BACKGROUND = env.bool("ELIGIBILITY_DECISION_LOG_BACKGROUND", default=True)
ELIGIBILITY_DECISION_LOG_FLUSH_MS = env.int("ELIGIBILITY_DECISION_LOG_FLUSH_MS", default=200)
ELIGIBILITY_DECISION_LOG_BATCH = env.int("ELIGIBILITY_DECISION_LOG_BATCH", default=2_000)

# --- Security ----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free template tag instead
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# --- Logging: request ids, never personal data or secrets ---------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "compliance.audit.middleware.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint narrates every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
