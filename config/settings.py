"""The one settings file. Everything that differs between machines comes from the environment.

DEMO=1 (set by `make run`) allows the demo accounts; production leaves it off.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str
from servicekontor.core.api_description import DESCRIPTION as API_DESCRIPTION

BASE_DIR = Path(__file__).resolve().parent.parent
REFERENCE_DATA_DIR = BASE_DIR / "reference_data"

DEBUG = env_bool("DEBUG", False)
DEMO = env_bool("DEMO", False)
_DEV_SECRET = "insecure-development-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if (DEBUG or DEMO) else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG and DEMO are off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "servicekontor.core.vendor_apps.TasksDatabaseConfig",  # django_tasks_db, named in sv/en
    "servicekontor.core.vendor_apps.AxesConfig",  # axes, named in sv/en
    "servicekontor.core",
    "servicekontor.messaging",
    "servicekontor.catalog",
    "servicekontor.network",
    "servicekontor.accounts",
    "servicekontor.queueing",
    "servicekontor.appointments",
    "servicekontor.handovers",
    "servicekontor.desk",
    "servicekontor.lobby",
    "servicekontor.public",
    "servicekontor.planning",
    "servicekontor.reports",
    "servicekontor.simulation",
    "servicekontor.costs",
    "servicekontor.staffing",
    "servicekontor.changeplans",
]

MIDDLEWARE = [
    # Before anything reads a body: a client that goes away in the middle of it (an upload
    # cut off) is a 400 logged in one line, and a body cut short is never acted on.
    "servicekontor.core.client_gone.ClientGoneMiddleware",
    # First: a request whose database connection was lost while it ran is run once more (a
    # GET always, another method when nothing it wrote can have been committed; else a 503
    # that says so: decision 0088).
    "servicekontor.core.lost_connection.RetryReadOnLostConnectionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A page with a secret in its address (manage link, ticket key, pairing token) sends
    # Referrer-Policy: origin, so the secret is not the Referer of what it links or loads.
    "servicekontor.core.secret_urls.SecretUrlReferrerPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # An unprefixed staff URL follows the language the person chose (walk F24).
    "servicekontor.core.middleware.StaffLanguageRedirectMiddleware",
    # A citizen's first visit follows the browser's Accept-Language (walk F4, decision 0104).
    "servicekontor.core.middleware.FirstVisitLanguageMiddleware",
    # The API's language: Accept-Language, English by default (decision 0064).
    "servicekontor.core.middleware.ApiLanguageMiddleware",
    # A body larger than this site reads: 413 (in the user's language) before CSRF or
    # anything else reads it.
    "servicekontor.core.middleware.RequestBodyLimitMiddleware",
    # A query parameter the API's schema does not name: 400, not silently ignored.
    "servicekontor.core.api_unknown_parameters.RefuseUnknownApiParametersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A signed-out POST or htmx request: sign-in leads back to the page, and says why.
    "servicekontor.accounts.middleware.SessionEndedMiddleware",
    "servicekontor.core.middleware.RejectNulBytesMiddleware",  # 400 for NUL anywhere
    # A view's BadRequest: the site's 400 page with its message, DEBUG on or off.
    "servicekontor.core.middleware.BadRequestPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: answers a locked-out login with 429 before the view runs.
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
                "django.template.context_processors.i18n",
            ],
        },
    },
]
# Django's form renderer with the <input> widgets written out in Python (decision 0067).
FORM_RENDERER = "servicekontor.core.form_renderer.InputsInPython"

# The largest upload form's body (multipart): the planning page's two files of 5 MB each and
# its fields. Django limits a form's fields (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB, also every
# JSON body) but not its files; a larger body is 413 before it is read
# (core.middleware.RequestBodyLimitMiddleware). Each upload field has its own smaller limit.
UPLOAD_MAX_REQUEST_BYTES = env_int("UPLOAD_MAX_REQUEST_BYTES", 11_000_000)

# Persistent connections: a new PostgreSQL connection per request costs more than the
# queue's whole transaction. The health check (one cheap round trip when a request first
# uses a reused connection) keeps a restarted database from failing the next request.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with the BEGIN, the COMMIT and the health check sent in the round trips next
    # to them (decision 0092).
    DATABASES["default"]["ENGINE"] = "servicekontor.core.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a management command share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Staff login lockout (django-axes): five wrong passwords for one username from one address
# lock that pair out for 15 minutes (429). Username and address together, so a stranger
# cannot lock a colleague out from elsewhere; guessing many usernames from one address is
# limited per address by the login view's rate limit (ACCOUNTS_RATE_LOGIN). Attempts are
# stored in the database, so every worker sees them.
AUTHENTICATION_BACKENDS = [
    "servicekontor.accounts.backends.LockoutBackend",
    "servicekontor.accounts.backends.UserBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
ACCOUNTS_RATE_LOGIN = env_str("ACCOUNTS_RATE_LOGIN", "30/m")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "public:finder"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # named date formats per language
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not (DEBUG or DEMO))
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Leaflet from the npm registry (`make install`) draws the planning page's optional interactive
# map; without npm the page keeps its static map only.
LEAFLET_DIR = BASE_DIR / "node_modules" / "leaflet" / "dist"
STATICFILES_DIRS = [("leaflet", LEAFLET_DIR)] if LEAFLET_DIR.is_dir() else []
# Background tiles for that map, a URL template such as
# https://tile.openstreetmap.org/{z}/{x}/{y}.png, with the attribution its provider asks for.
# Empty (the default): no tiles, the localities themselves draw Sweden, and nothing is fetched.
PLANNING_MAP_TILES = env_str("PLANNING_MAP_TILES", "")
PLANNING_MAP_ATTRIBUTION = env_str("PLANNING_MAP_ATTRIBUTION", "")

# Public address used in links sent by mail and SMS (booking confirmations, reminders).
# Without SITE_URL, the development address on PORT (what `make run` serves on, 8000).
# Production must set it (`check --deploy`: messaging.E002 refuses a placeholder).
PORT = env_int("PORT", 8000)
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{PORT}")

# Appointments (see servicekontor/appointments/conf.py for what each means).
APPOINTMENTS_PURGE_AFTER_DAYS = env_int("APPOINTMENTS_PURGE_AFTER_DAYS", 30)
# Logs of who came in and what ran (API client uses, login attempts and access logs, the
# admin's log, finished tasks): deleted after this many days by `manage.py purge_logs`
# (accounts/log_retention.py; 180 is an assumption, set the organisation's policy).
LOG_RETENTION_DAYS = env_int("LOG_RETENTION_DAYS", 180)
APPOINTMENTS_EARLY_CHECK_IN_MINUTES = env_int("APPOINTMENTS_EARLY_CHECK_IN_MINUTES", 30)
APPOINTMENTS_GRACE_MINUTES = env_int("APPOINTMENTS_GRACE_MINUTES", 10)
APPOINTMENTS_LATE_POLICY = env_str("APPOINTMENTS_LATE_POLICY", "walk_in")
APPOINTMENTS_REMINDER_HOURS_BEFORE = env_int("APPOINTMENTS_REMINDER_HOURS_BEFORE", 24)
APPOINTMENTS_RATE_BOOK = env_str("APPOINTMENTS_RATE_BOOK", "10/m")
APPOINTMENTS_RATE_LOOKUP = env_str("APPOINTMENTS_RATE_LOOKUP", "60/m")
# Video meetings (appointments/video_links.py): the provider of meeting links, and for the
# default self-hosted Jitsi its address, app id and the shared secret its token auth checks.
VIDEO_PROVIDER = env_str("VIDEO_PROVIDER", "servicekontor.appointments.video_links.JitsiProvider")
VIDEO_JITSI_URL = env_str("VIDEO_JITSI_URL", "https://meet.servicekontor.example")
VIDEO_JITSI_APP_ID = env_str("VIDEO_JITSI_APP_ID", "servicekontor")
VIDEO_JITSI_SECRET = env_str("VIDEO_JITSI_SECRET", "")
# Kiosk tickets and device pairing per client IP (servicekontor/queueing/views.py).
QUEUE_RATE_TICKET = env_str("QUEUE_RATE_TICKET", "30/m")
QUEUE_RATE_PAIR = env_str("QUEUE_RATE_PAIR", "10/m")

# The console backend prints every mail (names, addresses, working manage links) into the
# log: for development only. Production defaults to SMTP (EMAIL_HOST etc. from Django's
# defaults); `check --deploy` warns about a console or file backend (core.W002).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if (DEBUG or DEMO)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
# The sender, also the domain of every Message-ID. Production must set a real one
# (`check --deploy`: messaging.E001 refuses a placeholder or none).
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "noreply@servicekontor.example" if (DEBUG or DEMO) else ""
)
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# SMS to citizens who gave only a phone number (servicekontor/messaging/sms.py): the console
# in development; in production 46elks' HTTP API (or any backend with the same interface).
SMS_BACKEND = env_str(
    "SMS_BACKEND",
    "servicekontor.messaging.sms.ConsoleBackend"
    if (DEBUG or DEMO)
    else "servicekontor.messaging.sms.Elks46Backend",
)
SMS_API_URL = env_str("SMS_API_URL", "https://api.46elks.com/a1/sms")
SMS_API_USERNAME = env_str("SMS_API_USERNAME", "")
SMS_API_PASSWORD = env_str("SMS_API_PASSWORD", "")
SMS_SENDER = env_str("SMS_SENDER", "Servicekont")  # 11 characters at most (a text sender id)
# Retries of mail and SMS (servicekontor/messaging/conf.py).
MESSAGES_MAX_ATTEMPTS = env_int("MESSAGES_MAX_ATTEMPTS", 8)
MESSAGES_RETRY_BASE_SECONDS = env_int("MESSAGES_RETRY_BASE_SECONDS", 60)

# Fernet keys (newest first) for handovers' identity numbers and contacts; empty: derived
# from SECRET_KEY (check --deploy warns). servicekontor/handovers/encryption.py.
HANDOVER_ENCRYPTION_KEYS = env_list("HANDOVER_ENCRYPTION_KEYS", [])

# Background work (decision 0044): in production the database queue, served by `manage.py
# db_worker` processes (README, "Serving"), so that no request renders or sends a message;
# with DEBUG or DEMO (`manage.py runserver` alone) the immediate backend runs each task in the
# request that enqueues it, after its commit. `make run` uses the queue and starts the workers.
# Queue "default": short tasks that are safe to run again (messages, notifications,
# handovers; `manage.py requeue_stale_tasks` re-runs one whose worker died); "planning": the
# long solves, in a worker of their own so that no mail waits behind one.
TASKS_IMMEDIATE = "django_tasks.backends.immediate.ImmediateBackend"
TASKS_DATABASE = "django_tasks_db.DatabaseBackend"
TASK_QUEUE_PLANNING = "planning"
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", TASKS_IMMEDIATE if (DEBUG or DEMO) else TASKS_DATABASE),
        "QUEUES": ["default", TASK_QUEUE_PLANNING],
    }
}
# A task of the "default" queue still running this long after it started has lost its
# worker (they take milliseconds to seconds): `requeue_stale_tasks` puts it back, at most
# TASKS_MAX_ATTEMPTS times in all.
TASKS_STALE_AFTER_SECONDS = env_int("TASKS_STALE_AFTER_SECONDS", 300)
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 5)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "servicekontor.core.api_pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 200,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # Session login only: HTTP Basic would let anyone test passwords at full speed (each
    # guess costs a password hash), past the login lockout.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    # DRF's three; the JSON parser's refusals translated (decision 0064) and JSON text no
    # database stores (an escaped NUL or lone surrogate) a 400, never a write (decision 0078)
    "DEFAULT_PARSER_CLASSES": [
        "servicekontor.core.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Counted in the default cache: per worker process unless REDIS_URL is set (below).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_RATE_ANON", "600/min"),
        "user": env_str("API_RATE_USER", "1200/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "servicekontor API",
    "DESCRIPTION": API_DESCRIPTION,  # who the API is for and how to integrate
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: they put a link inside each operation's toggle button, a control inside
    # a control that screen readers cannot reach (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    # 3.1: a nullable object is `oneOf: [{$ref}, {type: null}]`; 3.0's `nullable` beside an
    # allOf has no type and strict validators and client generators ignore it.
    "OAS_VERSION": "3.1.0",
    # `<id:…>` (core.url_converters): an id, as Django's <int:…> was documented, with its bounds
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1}
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "servicekontor.core.api_schema.add_error_responses",
    ],
}

# The rate limits (django-ratelimit on public pages, DRF throttles on the API) count in this
# cache. The in-process default counts per worker process: with N gunicorn workers a client
# gets N times the rate. Production sets REDIS_URL so that every worker shares one count
# (`check --deploy` warns when it is missing; core/checks.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("REDIS_URL", ""):
    CACHES["default"] = {
        # Django's RedisCache, keeping one Redis client per pool instead of one per call.
        "BACKEND": "servicekontor.core.cache.SharedClientRedisCache",
        "LOCATION": env_str("REDIS_URL", ""),
        # Every key starts with this (empty: none). Processes that share one Redis database
        # but must not see each other's entries (the test workers of one run, config/pytest_env.py)
        # each set their own; `clear()` then deletes only its own keys (core/cache.py).
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", ""),
    }
    # With a cache every process shares, sessions are read from it (written through to the
    # database): one query fewer on every signed-in request. Without one, a logged-out
    # session could live on in another process's local cache, so sessions stay in the database.
    # Django's `cached_db`, reading the registry's version in the session's round trip
    # (decision 0092).
    SESSION_ENGINE = "servicekontor.core.sessions"

# Server push to the polled screens (decision 0026): the push server's public base URL (e.g.
# "/push/" behind the same proxy, or "http://127.0.0.1:8001/push/"), and the Redis it and the
# app share (default: REDIS_URL). Empty PUSH_URL: no push, the screens poll (decision 0017).
PUSH_URL = env_str("PUSH_URL", "")
PUSH_REDIS_URL = env_str("PUSH_REDIS_URL", env_str("REDIS_URL", ""))
PUSH_CHANNEL_PREFIX = env_str("PUSH_CHANNEL_PREFIX", "sk:push:")
# Where the push server asks the app for the fragments it sends (decision 0062), e.g.
# "http://127.0.0.1:8000" (its host in ALLOWED_HOSTS). Empty: the streams carry change
# notices only and the screens ask for their fragments themselves (decision 0026).
PUSH_APP_URL = env_str("PUSH_APP_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Manage tokens and ticket keys are in URL paths: redacted from every log line
    # (servicekontor/core/log_filters.py). gunicorn's own access log bypasses this: leave it
    # off, or use a format without the request line.
    "filters": {"redact_secrets": {"()": "servicekontor.core.log_filters.RedactSecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # One line per task run is noise; failures are still logged.
    # Django's own handlers for these (its default console and runserver handlers) would
    # write paths unfiltered: they go through the redacting console handler instead.
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEMO)
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEMO)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEMO)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEMO else 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEMO
    SECURE_HSTS_PRELOAD = not DEMO
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
