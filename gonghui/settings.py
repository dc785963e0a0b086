"""gonghui's one settings file, driven by the environment.

Variables (the contract of PRODUCT.md, extended, never renamed):

- ``GONGHUI_DATA_DIR`` (default ``./var``): the SQLite file, generated keys, uploads.
- ``GONGHUI_DATABASE_URL``: ``sqlite:///path`` or ``postgres://...``; default the SQLite file.
- ``GONGHUI_SECRET_KEY``: Django's secret; generated into the data dir when not given.
- ``GONGHUI_FIELD_KEY``: 32 bytes, base64, the key of encrypted fields; generated likewise.
- ``GONGHUI_DEBUG`` (default ``0``), ``GONGHUI_ALLOWED_HOSTS`` (comma separated).
- ``GONGHUI_HTTPS``: HTTPS-only cookies, HSTS and the redirect; on by default once
  ``GONGHUI_ALLOWED_HOSTS`` names a real deployment with debug off, off for localhost.
- ``GONGHUI_LOCKOUT_FAILURES`` (5), ``GONGHUI_LOCKOUT_MINUTES`` (15),
  ``GONGHUI_LOGIN_ADDRESS_FAILURES`` (20), ``GONGHUI_PASSWORD_MIN_DISTINCT`` (6),
  ``GONGHUI_PROXY_COUNT`` (0: the client address is ``REMOTE_ADDR``),
  ``GONGHUI_SESSION_IDLE_MINUTES`` (30), ``GONGHUI_PASSWORD_MIN_LENGTH`` (10).
- The upload guard and retention: ``GONGHUI_UPLOAD_MAX_MB`` (300),
  ``GONGHUI_UPLOAD_MAX_INFLATED_MB`` (1024), ``GONGHUI_UPLOAD_MAX_RATIO`` (100),
  ``GONGHUI_UPLOAD_MAX_ROWS`` (2,000,000), ``GONGHUI_UPLOAD_MAX_CELLS`` (50,000,000),
  ``GONGHUI_UPLOAD_INLINE_KB`` (2048),
  ``GONGHUI_UPLOAD_RETENTION_HOURS`` (24), ``GONGHUI_RESULT_RETENTION_DAYS`` (7),
  ``GONGHUI_HOTLINE_ATTACHMENT_DAYS`` (1830: a work order's attachments).
- ``GONGHUI_CACHE_URL`` (``redis://…``; default each process's memory),
  ``GONGHUI_CACHE_PREFIX`` (``gonghui``), ``GONGHUI_DB_CONN_MAX_AGE`` (0),
  ``GONGHUI_RESULTS_REFRESH_SECONDS`` (1).
"""

from __future__ import annotations

import base64
import os
import secrets
from datetime import date, timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value else default


# Every file the program writes is the owner's alone (0600, folders 0700): the SQLite file and
# its -wal/-shm, generated keys, uploads, result workbooks, exports' temporary files. The
# umask covers what is created from here on; what an older version left is chmodded below.
os.umask(0o077)
DATA_DIR = Path(_env("GONGHUI_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def _owner_only(folder: Path) -> None:
    """0700 for the data dir and its folders, 0600 for its files (not following links)."""
    os.chmod(folder, 0o700)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o700, follow_symlinks=False)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, 0o600)


if os.stat(DATA_DIR).st_mode & 0o077:
    _owner_only(DATA_DIR)  # once: an older data dir, or one made by hand
else:
    for _name in os.listdir(DATA_DIR):  # the database and keys at the top, every start
        _path = DATA_DIR / _name
        if _path.is_file() and not _path.is_symlink():
            os.chmod(_path, 0o600)


def _generated(name: str, make: str) -> str:
    """Read a key from the data dir, writing a fresh one there on first run (mode 0600)."""
    path = DATA_DIR / name
    if not path.exists():
        value = make
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(value)
    return path.read_text().strip()


SECRET_KEY = _env("GONGHUI_SECRET_KEY") or _generated("secret_key", secrets.token_urlsafe(64))
FIELD_KEY = _env("GONGHUI_FIELD_KEY") or _generated(
    "field_key", base64.b64encode(secrets.token_bytes(32)).decode()
)
# the key ring (core.crypto): keys that still decrypt and are searched but never written — the
# old key while ``gonghui rotate-field-key`` moves the values (comma-separated in the
# environment, one a line in the data dir's file); the files are followed while running
FIELD_KEY_FROM_FILE = not _env("GONGHUI_FIELD_KEY")
FIELD_KEYS_READ = [
    k.strip()
    for k in (
        _env("GONGHUI_FIELD_KEYS_READ")
        or (
            (DATA_DIR / "field_keys_read").read_text()
            if FIELD_KEY_FROM_FILE and (DATA_DIR / "field_keys_read").exists()
            else ""
        )
    )
    .replace(",", "\n")
    .splitlines()
    if k.strip()
]

DEBUG = _env_bool("GONGHUI_DEBUG", False)
_hosts = [h.strip() for h in _env("GONGHUI_ALLOWED_HOSTS").split(",") if h.strip()]
ALLOWED_HOSTS = _hosts or ["127.0.0.1", "localhost", "[::1]", "testserver"]
HTTPS = _env_bool("GONGHUI_HTTPS", bool(_hosts) and not DEBUG)

INSTALLED_APPS = [
    # before django.contrib.auth: its ``changepassword`` command is the one that runs (through
    # the service that revokes the user's tokens); Django takes a command from the first app
    "gonghui.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # the API docs page renders swagger-ui from ninja's own static files, not a CDN
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "gonghui.core",
    "gonghui.orgs",
    "gonghui.members",
    "gonghui.reports",
    "gonghui.hotline",
    "gonghui.legal",
    "gonghui.governance",
    "gonghui.bargaining",
    "gonghui.assistance",
    "gonghui.payments",
    "gonghui.honors",
    "gonghui.funds",
    "gonghui.ventures",
    "gonghui.activities",
    "gonghui.office",
    "gonghui.places",
    "gonghui.portal",
    "gonghui.home",
    "gonghui.demo",
]

MIDDLEWARE = [
    # first: every answer and every log line of its request carry the request id
    "gonghui.core.monitoring.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # an oversize upload is refused before Django reads its body
    "gonghui.core.middleware.UploadSizeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # outermost of the app's own: errors under /api/ are problem+json, CSRF's and 404s too
    "gonghui.core.middleware.ApiProblemMiddleware",
    # Content-Security-Policy everywhere; no-store for whatever a signed-in user sees
    "gonghui.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gonghui.core.middleware.AuditContextMiddleware",
    # a read-only request asks the tree's shape once per org (``core.scope``)
    "gonghui.core.middleware.TreeAnswersMiddleware",
    # after authentication, so that its 422 page has the user's shell
    "gonghui.core.middleware.NulRefusalMiddleware",
    # axes last: it turns a locked-out login into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gonghui.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        _env("GONGHUI_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'gonghui.sqlite3'}",
        # GONGHUI_DB_CONN_MAX_AGE: seconds a web thread keeps its database connection (0: a
        # new one per request; a deployment under load keeps them, PostgreSQL above all)
        conn_max_age=_env_int("GONGHUI_DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write while the web process reads; the busy timeout
    # makes a writer wait for the other instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# The cache: throttles' counters and short-lived answers such as a vote's live count. One
# process's memory by default; GONGHUI_CACHE_URL=redis://host:6379/0 shares it between the
# web processes (pip install '.[deploy]' brings the client).
_cache_url = _env("GONGHUI_CACHE_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            # several deployments (or a test run beside one) sharing a Redis keep apart
            "KEY_PREFIX": _env("GONGHUI_CACHE_PREFIX", "gonghui"),
        }
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
_test_db = _env("GONGHUI_TEST_DATABASE_URL")
if _test_db:
    DATABASES["default"] = dj_database_url.parse(_test_db)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_MIN_LENGTH = _env_int("GONGHUI_PASSWORD_MIN_LENGTH", 10)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gonghui.accounts.passwords.CharacterClassValidator"},
    {
        "NAME": "gonghui.accounts.passwords.WhitespaceValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "gonghui.accounts.passwords.DistinctCharactersValidator",
        "OPTIONS": {"min_distinct": _env_int("GONGHUI_PASSWORD_MIN_DISTINCT", 6)},
    },
    {"NAME": "gonghui.accounts.passwords.RepeatedPatternValidator"},
]

# Lockout (django-axes, with gonghui's handler in accounts/lockout.py): N failures of one
# account *from one client address* within the window lock that pair for the window, the right
# password included; the owner logging in from another address is not locked out. An address
# whose failures across all accounts reach GONGHUI_LOGIN_ADDRESS_FAILURES within the window is
# refused (429) for any account until the window has passed. Every lock is audited.
AXES_FAILURE_LIMIT = _env_int("GONGHUI_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_env_int("GONGHUI_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "gonghui.accounts.lockout.GonghuiAxesHandler"
AXES_USERNAME_CALLABLE = "gonghui.accounts.lockout.client_username"
AXES_LOCKOUT_CALLABLE = "gonghui.accounts.lockout.lockout_response"
# Behind N reverse proxies the client address is read from X-Forwarded-For (N from the right);
# without it every client would share the proxy's address, and its lock.
AXES_CLIENT_IP_CALLABLE = "gonghui.core.throttle.forwarded_address"
GONGHUI_PROXY_COUNT = _env_int("GONGHUI_PROXY_COUNT", 0)
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False
GONGHUI_LOGIN_ADDRESS_FAILURES = _env_int("GONGHUI_LOGIN_ADDRESS_FAILURES", 20)
AXES_VERBOSE = False

# Idle sessions end: the cookie's age restarts with every request.
SESSION_IDLE_MINUTES = _env_int("GONGHUI_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# Every period a page or the API takes (core.periods) starts no earlier than this day and
# spans at most this many years: a report of a century is a request, not a question.
PERIOD_EARLIEST = date.fromisoformat(_env("GONGHUI_PERIOD_EARLIEST", "2000-01-01"))
PERIOD_MAX_YEARS = _env_int("GONGHUI_PERIOD_MAX_YEARS", 10)
PERIOD_TREND_MONTHS = _env_int("GONGHUI_PERIOD_TREND_MONTHS", 36)  # a month-by-month series
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in _env("GONGHUI_CSRF_TRUSTED_ORIGINS").split(",") if o.strip()
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from the finders; the dir only has to exist
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Served straight from the package: no collectstatic step for the demo or a test.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# The upload guard (core.uploads): every uploaded file, every workbook opened. The defaults
# take a province's largest roster in one file (a million rows is about 120 MB of CSV or
# 60 MB of XLSX that inflates to 500 MB); past them the user is asked to split the file.
UPLOAD_MAX_BYTES = _env_int("GONGHUI_UPLOAD_MAX_MB", 300) * 1024 * 1024
UPLOAD_MAX_INFLATED_BYTES = _env_int("GONGHUI_UPLOAD_MAX_INFLATED_MB", 1024) * 1024 * 1024
UPLOAD_MAX_RATIO = _env_int("GONGHUI_UPLOAD_MAX_RATIO", 100)
UPLOAD_MAX_ROWS = _env_int("GONGHUI_UPLOAD_MAX_ROWS", 2_000_000)
# python-calamine holds a workbook's sheet as one rectangle (first to last cell, ~30 bytes a
# cell): a few far-apart or repeated cells in a tiny file would be a bomb of their own
UPLOAD_MAX_CELLS = _env_int("GONGHUI_UPLOAD_MAX_CELLS", 50_000_000)
# larger uploads are handled by the background worker, never inside the request
UPLOAD_INLINE_BYTES = _env_int("GONGHUI_UPLOAD_INLINE_KB", 2048) * 1024
# uploads are deleted when their job ends, and by the hourly purge this long after at the
# latest; rejected-rows workbooks after their own retention
UPLOAD_RETENTION_HOURS = _env_int("GONGHUI_UPLOAD_RETENTION_HOURS", 24)
RESULT_RETENTION_DAYS = _env_int("GONGHUI_RESULT_RETENTION_DAYS", 7)
# a work order's attachments (evidence, receipts) are kept as long as the order's file: five
# years, then deleted by the hourly purge (the order keeps their names and hashes)
HOTLINE_ATTACHMENT_DAYS = _env_int("GONGHUI_HOTLINE_ATTACHMENT_DAYS", 5 * 366)

# The audit log (core.auditchain): kept at least this many days before it may be archived
# (等保 2.0 asks for six months), and sealed into hash-chained blocks by the worker up to this
# margin before the oldest open transaction.
AUDIT_RETENTION_DAYS = max(180, _env_int("GONGHUI_AUDIT_RETENTION_DAYS", 180))
AUDIT_SEAL_MARGIN_SECONDS = _env_int("GONGHUI_AUDIT_SEAL_MARGIN_SECONDS", 60)

# Background jobs (core.jobs): a running job beats every JOB_HEARTBEAT_SECONDS; one silent
# for GONGHUI_JOB_TIMEOUT_SECONDS is marked failed (its worker died) and may be retried.
JOB_HEARTBEAT_SECONDS = _env_int("GONGHUI_JOB_HEARTBEAT_SECONDS", 15)
JOB_TIMEOUT_SECONDS = _env_int("GONGHUI_JOB_TIMEOUT_SECONDS", 600)

TASKS = {
    "default": {
        "BACKEND": _env("GONGHUI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # no plain ID number or mobile in a log line: the code never logs one, and the filter
    # masks what slips through (a full number in a URL's query string, say)
    "filters": {
        "redact": {"()": "gonghui.core.logredact.RedactFilter"},
        "request_id": {"()": "gonghui.core.monitoring.RequestIdFilter"},
    },
    "formatters": {
        # GONGHUI_LOG_FORMAT=json: one JSON object a line, with the request id
        "json": {"()": "gonghui.core.monitoring.JsonFormatter"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact"],
            **({"formatter": "json"} if _env("GONGHUI_LOG_FORMAT", "json") == "json" else {}),
        },
        # runserver's request lines (they hold query strings): Django's own handler, filtered
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "loggers": {
        # Django's records reach the root's filtered console only (not Django's own console
        # handler of debug mode, nor mail_admins, which would carry them unfiltered)
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": _env("GONGHUI_LOG_LEVEL", "WARNING")},
    # axes logs usernames of failed logins at INFO; WARNING keeps them out by default
}

# Hotline and other modules' deadlines read their defaults from here; each is overridable
# per category in the database where the module says so.
GONGHUI_API_TOKEN_DAYS = _env_int("GONGHUI_API_TOKEN_DAYS", 90)

# Honours: the live count of a vote is read off the candidates' counters at most once in this
# many seconds (per cache: per process, or once for all with GONGHUI_CACHE_URL) and is never
# older than that; 0 reads the counters on every request.
GONGHUI_RESULTS_REFRESH_SECONDS = float(_env("GONGHUI_RESULTS_REFRESH_SECONDS") or 1)

# Member registry (issue 10): full ID or mobile look-ups per user and window (each audited;
# past the limit 429), and the working days after which a transfer request nobody objected
# to completes by itself.
GONGHUI_LOOKUP_LIMIT = _env_int("GONGHUI_LOOKUP_LIMIT", 30)
GONGHUI_LOOKUP_WINDOW_MINUTES = _env_int("GONGHUI_LOOKUP_WINDOW_MINUTES", 60)
GONGHUI_TRANSFER_WORKDAYS = _env_int("GONGHUI_TRANSFER_WORKDAYS", 10)
