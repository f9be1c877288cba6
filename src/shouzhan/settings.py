"""Django settings for Shouzhan.

Defaults give a working SQLite site with nothing to start (the `make` targets write a local secret key
into var/); production sets DATABASE_URL (PostgreSQL), SHOUZHAN_SECRET_KEY, ALLOWED_HOSTS and
SHOUZHAN_SECURE=1. DEBUG is off unless SHOUZHAN_DEBUG=1.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SHOUZHAN_VAR_DIR", PROJECT_DIR / "var"))

# Off unless asked for: a forgotten setting must not serve stack traces.
DEBUG = os.environ.get("SHOUZHAN_DEBUG", "0") == "1"


def _secret_key() -> str:
    """SHOUZHAN_SECRET_KEY, or the file SHOUZHAN_SECRET_KEY_FILE names (default var/secret_key, which every
    `make` target creates once, so `make run` and the tests need nothing). With DEBUG on and neither, a
    development key; with DEBUG off, no key is a refusal to start, never a key everybody knows."""
    from django.core.exceptions import ImproperlyConfigured

    # SECRET_KEY: the name deploy/ used before; still read so an existing installation keeps its sessions.
    key = os.environ.get("SHOUZHAN_SECRET_KEY") or os.environ.get("SECRET_KEY", "")
    if key.strip():
        return key.strip()
    path = Path(os.environ.get("SHOUZHAN_SECRET_KEY_FILE", VAR_DIR / "secret_key"))
    if path.is_file() and path.read_text().strip():
        return path.read_text().strip()
    if DEBUG:
        return "dev-only-insecure-key-" + "x" * 40
    raise ImproperlyConfigured(
        "SHOUZHAN_SECRET_KEY is not set. With SHOUZHAN_DEBUG off the site needs its own secret key: set "
        "SHOUZHAN_SECRET_KEY (50 random characters, e.g. from "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or SHOUZHAN_SECRET_KEY_FILE to a "
        f"file holding it (default {path}; `make install` writes one for a checkout). "
        "For development only, SHOUZHAN_DEBUG=1 runs without one."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CATALOGUE_DIR = Path(os.environ.get("SHOUZHAN_CATALOGUE", PROJECT_DIR / "catalogue"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "shouzhan.core",
    "shouzhan.accounts",
    "shouzhan.registry",
    "shouzhan.policies",
    "shouzhan.cases",
    "shouzhan.ledger",
    "shouzhan.spaces",
    "shouzhan.community",
    "shouzhan.assets",
    "shouzhan.talent",
    "shouzhan.offers",
    "shouzhan.frontline",
    "shouzhan.patrols",
    "shouzhan.insight",
    "shouzhan.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shouzhan.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shouzhan.core.input_rules.InputRulesMiddleware",  # no control characters (NUL …) in any input: 400
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shouzhan.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "shouzhan.urls"
WSGI_APPLICATION = "shouzhan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shouzhan.site.context_processors.shell",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'shouzhan.sqlite3'}",
        # `make serve` and deploy/ keep connections for 60 s: a new PostgreSQL connection per request
        # costs a backend process start, more than many pages' own queries.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL and a busy timeout keep the dev server and the task worker from tripping over each other.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["shouzhan.accounts.backends.MobileOrEmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "site:landing"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Throttling (accounts/throttle.py: one mechanism for the login page, the admin, password change,
# reset and registration). Login failures count per (account, client address): after
# LOGIN_MAX_FAILURES that address waits LOGIN_LOCKOUT_SECONDS for that account, and after
# LOGIN_MAX_FAILURES_PER_IP for any account. Someone else's failures never lock the owner out:
# beyond LOGIN_MAX_FAILURES on the account from anywhere, every try on it waits a step longer
# (LOGIN_DELAY_STEP_SECONDS each, at most LOGIN_DELAY_MAX_SECONDS).
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))
LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP", "30"))
LOGIN_DELAY_STEP_SECONDS = float(os.environ.get("LOGIN_DELAY_STEP_SECONDS", "0.5"))
LOGIN_DELAY_MAX_SECONDS = float(os.environ.get("LOGIN_DELAY_MAX_SECONDS", "3"))
# Registrations per client address, and password-reset e-mails per mailbox and per address, per window.
REGISTER_MAX_PER_IP = int(os.environ.get("REGISTER_MAX_PER_IP", "20"))
REGISTER_WINDOW_SECONDS = int(os.environ.get("REGISTER_WINDOW_SECONDS", "3600"))
PASSWORD_RESET_MAX_PER_EMAIL = int(os.environ.get("PASSWORD_RESET_MAX_PER_EMAIL", "3"))
PASSWORD_RESET_MAX_PER_IP = int(os.environ.get("PASSWORD_RESET_MAX_PER_IP", "10"))
PASSWORD_RESET_WINDOW_SECONDS = int(os.environ.get("PASSWORD_RESET_WINDOW_SECONDS", "3600"))
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(24 * 3600)))
# The client's address (throttling, the audit trail): behind reverse proxies, list them (addresses or
# CIDRs, comma-separated) and name the header they append the client to. Only a request arriving from
# one of them is believed, and only the hops they added (core.middleware.client_ip).
SHOUZHAN_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("SHOUZHAN_TRUSTED_PROXIES", "").split(",") if p.strip()
]
SHOUZHAN_CLIENT_IP_HEADER = os.environ.get("SHOUZHAN_CLIENT_IP_HEADER", "X-Forwarded-For")

# Background work (deadline reminders, overdue alerts) goes through django-tasks with its database
# backend: `manage.py db_worker` runs it (`make run` starts one beside the site).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


# Sessions and cookies: HttpOnly everywhere, SameSite=Lax, Secure when served over HTTPS.
SECURE = os.environ.get("SHOUZHAN_SECURE", "0") == "1"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]


# Behind a TLS-terminating proxy the app sees plain http: it learns that the visitor used https only
# from a header the proxy sets (without it SHOUZHAN_SECURE=1 redirects to https forever). Name that
# header, e.g. SHOUZHAN_PROXY_SSL_HEADER=X-Forwarded-Proto (value "https" by default, or
# "X-Forwarded-Ssl: on"), only when the proxy overwrites it on every request: a client could send it too.
# Django is the one place that reads it (deploy/gunicorn.conf.py turns gunicorn's own reading off).
def _proxy_ssl_header(text: str) -> tuple[str, str] | None:
    import re

    from django.core.exceptions import ImproperlyConfigured

    if not text.strip():
        return None
    name, _sep, value = text.replace("=", ":", 1).partition(":")
    name, value = name.strip(), value.strip() or "https"
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", name):
        raise ImproperlyConfigured(f"SHOUZHAN_PROXY_SSL_HEADER: not a header name: {name!r}")
    return ("HTTP_" + name.upper().replace("-", "_"), value)


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(os.environ.get("SHOUZHAN_PROXY_SSL_HEADER", ""))
# The health check is asked over plain http on the machine itself (the container's HEALTHCHECK, a
# load balancer): answered there, not redirected to https.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# The host (and port) the visitor asked for, from X-Forwarded-Host / -Port, when the proxy sets them.
USE_X_FORWARDED_HOST = os.environ.get("SHOUZHAN_USE_X_FORWARDED_HOST", "0") == "1"
USE_X_FORWARDED_PORT = os.environ.get("SHOUZHAN_USE_X_FORWARDED_PORT", "0") == "1"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The container collects static files into the image, apart from the data volume (deploy/Dockerfile).
STATIC_ROOT = Path(os.environ.get("SHOUZHAN_STATIC_ROOT", VAR_DIR / "static"))
# Static files are served by the app itself (WhiteNoise): a government intranet has no CDN.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Production (`make serve`, deploy/) collects static files with content hashes in their names, so
# browsers may cache them for ever; tests and `make run` keep the plain names (no collectstatic needed).
if os.environ.get("SHOUZHAN_STATIC_MANIFEST", "0") == "1":
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Every spreadsheet is read by core.spreadsheets.read_rows, which counts what it reads and refuses a
# file beyond any of these: the upload's bytes, the .xlsx parts' bytes once unzipped, the rows below the
# header (blank rows count), the cells (blank ones inside a row count) and the seconds spent reading.
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
IMPORT_MAX_ROWS = 20000
IMPORT_MAX_CELLS = 1_000_000
IMPORT_MAX_SECONDS = 20
# A background import renews its lease with each committed chunk; a job silent for longer than this is
# taken to have lost its worker and is resumed from its last chunk (failed after IMPORT_JOB_MAX_RUNS runs).
IMPORT_JOB_LEASE_SECONDS = 120
IMPORT_JOB_MAX_RUNS = 3
# A push run (offers) renews its lease with each chunk of enterprises it evaluates; one silent for longer
# is taken to have lost its worker and is run again from the start (its writes are one transaction, so a
# dead run left nothing), failed after PUSH_RUN_MAX_RUNS runs. Enterprises are evaluated PUSH_CHUNK at a time.
PUSH_RUN_LEASE_SECONDS = 300
PUSH_RUN_MAX_RUNS = 3
PUSH_CHUNK = 200_000
# A file with more data rows than this is imported by the background worker, with a progress bar.
IMPORT_INLINE_ROWS = 1000
# Door check-in of an event (community) is open from this many minutes before its start until this many
# after its end: a ticket shown days early is refused with the time the door opens.
EVENT_CHECK_IN_OPENS_MINUTES_BEFORE = 120
EVENT_CHECK_IN_CLOSES_MINUTES_AFTER = 0
# A district's own basemap for the patrol maps: the path of a raster MBTiles file (png / jpg / webp tiles),
# served by the app itself at /patrols/tiles/<z>/<x>/<y>. Empty (the default): the maps are schematic and
# draw no basemap and so no boundaries (a public map with boundaries needs an approved source).
PATROLS_BASEMAP = os.environ.get("SHOUZHAN_PATROLS_BASEMAP", "")

# Digital assets (assets): the largest file a version may be, and the time-stamping authority (RFC 3161).
# An empty SHOUZHAN_TSA_URL is the platform's own TSA, whose key and certificates `make install` makes in
# var/tsa (manage.py assets_tsa_init); a URL is an external TSA, verified with SHOUZHAN_TSA_CA_FILE.
ASSETS_MAX_BYTES = int(os.environ.get("SHOUZHAN_ASSETS_MAX_MB", "500")) * 1024 * 1024
SHOUZHAN_TSA_URL = os.environ.get("SHOUZHAN_TSA_URL", "")
SHOUZHAN_TSA_CA_FILE = os.environ.get("SHOUZHAN_TSA_CA_FILE", "")
SHOUZHAN_TSA_DIR = Path(os.environ.get("SHOUZHAN_TSA_DIR", VAR_DIR / "tsa"))
SHOUZHAN_TSA_NAME = os.environ.get("SHOUZHAN_TSA_NAME", "首站 Shouzhan TSA")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shouzhan@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

CSRF_FAILURE_VIEW = "shouzhan.core.views.csrf_failure"
