"""Django settings for Lodestar. The environment is read once, in `config.read()`."""

from __future__ import annotations

import sys
from pathlib import Path

from lodestar import config

try:
    ENV = config.read()
    DATA_DIR = Path(ENV["LODESTAR_DATA_DIR"]).expanduser().resolve()
    DATABASES = {"default": config.database_settings(ENV["DATABASE_URL"], DATA_DIR)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    SECRET_KEY = config.secret_key(ENV["LODESTAR_SECRET_KEY"], DATA_DIR)
except (config.ConfigError, OSError) as exc:
    sys.stderr.write(f"lodestar: configuration error: {exc}\n")
    raise SystemExit(2) from None

BASE_DIR = Path(__file__).resolve().parent
DEBUG = ENV["LODESTAR_DEBUG"]
ALLOWED_HOSTS = [*ENV["LODESTAR_ALLOWED_HOSTS"], "testserver"]
CSRF_TRUSTED_ORIGINS = ENV["LODESTAR_CSRF_TRUSTED_ORIGINS"]
UPLOADS_DIR = DATA_DIR / "uploads"
# The event store (lodestar.analytics.store): spool, Parquet files, manifest.
EVENTS_DIR = DATA_DIR / "events"
EVENTS_URL = ENV["LODESTAR_EVENTS_URL"]
MAX_BODY_BYTES = ENV["LODESTAR_MAX_BODY_BYTES"]
MAX_UPLOAD_BYTES = ENV["LODESTAR_MAX_UPLOAD_BYTES"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # larger uploads spool to a temporary file

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "lodestar.core",
    "lodestar.accounts",
    "lodestar.workspaces",
    "lodestar.activity",
    "lodestar.customers",
    "lodestar.feedback",
    "lodestar.planning",
    "lodestar.strategy",
    "lodestar.analytics",
    "lodestar.delivery",
    "lodestar.experiments",
]

MIDDLEWARE = [
    "lodestar.core.middleware.RequestIdMiddleware",
    "lodestar.core.middleware.NullCharacterMiddleware",
    "lodestar.core.middleware.BodySizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lodestar.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lodestar.core.middleware.ErrorMiddleware",
]

ROOT_URLCONF = "lodestar.urls"
WSGI_APPLICATION = "lodestar.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lodestar.workspaces.context.workspace_nav",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

SESSION_ENGINE = "lodestar.core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Cookies get the Secure flag per request when it arrives over TLS (SecurityHeadersMiddleware),
# so one configuration serves both http://127.0.0.1 and a TLS-terminating proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

DEFAULT_FROM_EMAIL = ENV["LODESTAR_EMAIL_FROM"]
SITE_URL = ENV["LODESTAR_SITE_URL"].rstrip("/")  # for links in mail sent outside a request
SERVER_EMAIL = DEFAULT_FROM_EMAIL
for _name, _value in ENV["LODESTAR_EMAIL_URL"].items():
    globals()[_name] = _value

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = None  # served from the apps by WhiteNoise (WHITENOISE_USE_FINDERS)
WHITENOISE_USE_FINDERS = True
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "lodestar.core.staticfiles.PlotlyFinder",  # plotly.min.js from the plotly package
]
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_MAX_AGE = 3600
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

NINJA_PAGINATION_MAX_LIMIT = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "lodestar.core.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "lodestar.core.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": ENV["LODESTAR_LOG_LEVEL"]},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
