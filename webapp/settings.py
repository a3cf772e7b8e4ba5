"""Django settings for Anju.

Everything comes from the environment with a working default, so a fresh checkout runs with no
configuration (embedded mode: SQLite, Celery eager, in-process timer loop). Setting DATABASE_URL
and REDIS_URL switches to production mode (PostgreSQL, Redis broker, separate worker and beat).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from .envconf import env_bool, env_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ANJU_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "anju-insecure-development-key-change-me-in-production")
ALLOWED_HOSTS = env_str("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in env_str("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "webapp.accounts",
    "webapp.realestate",
    "engine",
    "webapp.sales",
    "webapp.movein",
    "webapp.residents",
    "webapp.repairs",
    "webapp.meters",
    "webapp.fees",
    "webapp.parking",
    "webapp.billing",
    "webapp.community",
    "webapp.passes",
    "webapp.visits",
    "webapp.owner",
    "webapp.designer",
    "webapp.audit",
    "webapp.pages",
    "webapp.common",
]

MIDDLEWARE = [
    # First: a body above its route's limit is refused before CSRF or anything else reads it.
    "webapp.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "webapp.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every route needs the right of its area (webapp/common/rights.py); the API checks it in HasRight.
    "webapp.common.rights.RightsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "webapp.urls"
WSGI_APPLICATION = "webapp.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "webapp" / "templates", BASE_DIR / "forms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "anju.sqlite3",
            # IMMEDIATE: a writer takes the lock at BEGIN, so two engine steps on one instance queue
            # up instead of failing with "database is locked" half-way (SQLite ignores FOR UPDATE).
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 30},
            # A file, not shared-cache memory: concurrency tests need real locking between threads.
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }
DATABASE_VENDOR_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache / Celery -------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
PRODUCTION_MODE = bool(REDIS_URL)
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "anju-sweep": {"task": "engine.tasks.sweep", "schedule": float(env_int("ANJU_SWEEP_SECONDS", 5))},
    "anju-hourly": {"task": "engine.tasks.hourly", "schedule": 3600.0},
}

# --- Engine ---------------------------------------------------------------------------------
ANJU_PROCESSES_DIR = BASE_DIR / "processes"
ANJU_MAX_UPLOAD_BYTES = env_int("ANJU_MAX_UPLOAD_BYTES", 2 * 1024 * 1024)
ANJU_MAX_PHOTO_BYTES = env_int("ANJU_MAX_PHOTO_BYTES", 8 * 1024 * 1024)  # a defect photo (webapp/movein)
ANJU_PARKING_MAX_VEHICLES = env_int("ANJU_PARKING_MAX_VEHICLES", 2)  # current cars per space (webapp/parking)
ANJU_SCRIPT_TIME_LIMIT_MS = env_int("ANJU_SCRIPT_TIME_LIMIT_MS", 200)
ANJU_SERVICE_MAX_ATTEMPTS = env_int("ANJU_SERVICE_MAX_ATTEMPTS", 4)
ANJU_SERVICE_BACKOFF_SECONDS = env_int("ANJU_SERVICE_BACKOFF_SECONDS", 30)
# How long a service call stays taken without a sign of life (its worker renews it while the adapter
# runs): a call whose message or worker was lost runs again this long (plus one sweep) later.
ANJU_SERVICE_LEASE_SECONDS = env_int("ANJU_SERVICE_LEASE_SECONDS", 15)
ANJU_MAX_ENGINE_STEPS = env_int("ANJU_MAX_ENGINE_STEPS", 5000)
# Embedded mode: background work (billing runs, notices) in a thread; off: inline after the commit
ANJU_BACKGROUND_THREADS = env_bool("ANJU_BACKGROUND_THREADS", True)
# The site's public https address (payment notifications come back to it), e.g. https://wuye.example.com
ANJU_PUBLIC_URL = env_str("ANJU_PUBLIC_URL", "")
# Deepest nesting of arrays/objects in JSON from outside (API bodies, form files, corrected data).
ANJU_MAX_JSON_DEPTH = env_int("ANJU_MAX_JSON_DEPTH", 32)
ANJU_NOTIFY_MAIL_DELIVERY = env_bool("ANJU_NOTIFY_MAIL_DELIVERY", False)
# SMS and (undelivered) mail are written to the outbox inside the engine step that reaches them, and
# the flow moves on in that step (engine/calls_in_step.py); 0 sends them through the asynchronous
# service-call path (a worker, a lease, retries) like every other adapter call.
ANJU_NOTIFY_IN_STEP = env_bool("ANJU_NOTIFY_IN_STEP", True)
ANJU_SMS_SIGNATURE = env_str("ANJU_SMS_SIGNATURE", "安居")
# Online payment (webapp/payments, docs/payments.md): "offline" (fees are paid at the front desk) or
# "wechatpay" (WeChat Pay API v3, Native pay). Keys: PEM text or NAME_FILE.
ANJU_PAYMENT_BACKEND = env_str("ANJU_PAYMENT_BACKEND", "offline")
ANJU_WECHATPAY_MCHID = env_str("ANJU_WECHATPAY_MCHID", "")
ANJU_WECHATPAY_APPID = env_str("ANJU_WECHATPAY_APPID", "")
ANJU_WECHATPAY_CERT_SERIAL_NO = env_str("ANJU_WECHATPAY_CERT_SERIAL_NO", "")  # the merchant API certificate
ANJU_WECHATPAY_PRIVATE_KEY = env_str("ANJU_WECHATPAY_PRIVATE_KEY", "")  # its key (apiclient_key.pem)
ANJU_WECHATPAY_APIV3_KEY = env_str("ANJU_WECHATPAY_APIV3_KEY", "")
ANJU_WECHATPAY_PUBLIC_KEY = env_str("ANJU_WECHATPAY_PUBLIC_KEY", "")  # public-key mode (pub_key.pem)
ANJU_WECHATPAY_PUBLIC_KEY_ID = env_str("ANJU_WECHATPAY_PUBLIC_KEY_ID", "")  # PUB_KEY_ID_...
ANJU_WECHATPAY_CERT_DIR = env_str("ANJU_WECHATPAY_CERT_DIR", "")  # certificate mode: platform certificates
ANJU_WECHATPAY_GATEWAY = env_str("ANJU_WECHATPAY_GATEWAY", "https://api.mch.weixin.qq.com")
ANJU_WECHATPAY_TIMEOUT_SECONDS = env_int("ANJU_WECHATPAY_TIMEOUT_SECONDS", 10)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "anju@localhost")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF answers an anonymous call with the first class's challenge, so it is a 401
    # with `WWW-Authenticate: Token` (session auth has none: 403). Without an Authorization header
    # the token class passes and the session (with its CSRF check) signs in the pages' fetch calls.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["webapp.common.rights.HasRight"],  # signed in + the route's right
    # JSON nested deeper than ANJU_MAX_JSON_DEPTH is a 400 parse error, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "webapp.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "webapp.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "webapp.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Anju API",
    "DESCRIPTION": "安居流程平台 API: deploy BPMN flows, start instances, work tasks, review audit.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TaskStateEnum": "engine.models.runtime.TaskState",
        "TimerStateEnum": "engine.models.runtime.TimerState",
        "CallStateEnum": "engine.models.runtime.CallState",
        "InstanceStatusEnum": "engine.models.runtime.InstanceStatus",
    },
}

# --- I18n / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "webapp" / "locale", BASE_DIR / "forms" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "webapp" / "static"]
# npm packages are served from their dist folders (installed by `make`, never copied by hand).
NODE_MODULES_DIR = BASE_DIR / "node_modules"
for _package in ("bootstrap", "bpmn-js", "echarts"):
    if (NODE_MODULES_DIR / _package / "dist").exists():
        STATICFILES_DIRS.append((f"vendor/{_package}/dist", NODE_MODULES_DIR / _package / "dist"))
WHITENOISE_USE_FINDERS = True
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise before any URL pattern.
WHITENOISE_ROOT = BASE_DIR / "webapp" / "public"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("ANJU_FAST_PASSWORDS", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "engine": {"handlers": ["console"], "level": env_str("ANJU_LOG_LEVEL", "INFO")},
        "django.request": {"handlers": ["console"], "level": "ERROR"},
    },
}

# --- Directory login (LDAP/AD) ----------------------------------------------------------------
# Off unless ANJU_LDAP_URI is set. Then the directory is asked first (django-auth-ldap) and form
# login of local users (ModelBackend) keeps working. webapp/accounts/ldap.py gives a directory user
# the company ANJU_LDAP_COMPANY and the roles and work groups that the maps (JSON objects: group DN
# → role name / work group name) give their directory groups. README.md "Directory login (LDAP/AD)".
import json as _json  # noqa: E402

from django.core.exceptions import ImproperlyConfigured as _ImproperlyConfigured  # noqa: E402


def _env_group_map(name: str) -> dict[str, str | list[str]]:
    raw = env_str(name, "").strip()
    try:
        value = _json.loads(raw) if raw else {}
    except ValueError as exc:
        raise _ImproperlyConfigured(f"{name} is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise _ImproperlyConfigured(f'{name} must be a JSON object {{"group DN": "name", ...}}')
    return value


# Password sign-in and has_perm, with permission sets kept between requests (webapp/accounts/backends.py).
AUTHENTICATION_BACKENDS = ["webapp.accounts.backends.CachedPermissionsBackend"]
ANJU_LDAP_URI = env_str("ANJU_LDAP_URI", "")
ANJU_LDAP_COMPANY = env_str("ANJU_LDAP_COMPANY", "")
ANJU_LDAP_ROLE_MAP = _env_group_map("ANJU_LDAP_ROLE_MAP")
ANJU_LDAP_WORK_GROUP_MAP = _env_group_map("ANJU_LDAP_WORK_GROUP_MAP")
if ANJU_LDAP_URI:
    import ldap
    from django_auth_ldap.config import ActiveDirectoryGroupType, GroupOfNamesType, LDAPSearch, PosixGroupType

    AUTHENTICATION_BACKENDS = ["webapp.accounts.ldap.DirectoryBackend", *AUTHENTICATION_BACKENDS]
    AUTH_LDAP_SERVER_URI = ANJU_LDAP_URI
    AUTH_LDAP_BIND_DN = env_str("ANJU_LDAP_BIND_DN", "")  # empty: anonymous search
    AUTH_LDAP_BIND_PASSWORD = env_str("ANJU_LDAP_BIND_PASSWORD", "")  # or ANJU_LDAP_BIND_PASSWORD_FILE
    AUTH_LDAP_START_TLS = env_bool("ANJU_LDAP_START_TLS", False)
    # No referral chasing (Active Directory answers searches from the domain root with referrals);
    # a directory that does not answer fails the login after 10 s instead of hanging it.
    AUTH_LDAP_CONNECTION_OPTIONS = {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 10}
    AUTH_LDAP_USER_SEARCH = LDAPSearch(
        env_str("ANJU_LDAP_USER_SEARCH_BASE", ""),
        ldap.SCOPE_SUBTREE,
        env_str("ANJU_LDAP_USER_FILTER", "(uid=%(user)s)"),  # AD: (sAMAccountName=%(user)s)
    )
    # display_name falls back to cn when there is no displayName (webapp/accounts/ldap.py).
    AUTH_LDAP_USER_ATTR_MAP = {"display_name": "displayName", "mobile": "mobile", "email": "mail"}
    _group_kind = env_str("ANJU_LDAP_GROUP_TYPE", "groupOfNames")
    _group_types = {
        "groupofnames": (GroupOfNamesType, "(objectClass=groupOfNames)"),
        "posixgroup": (PosixGroupType, "(objectClass=posixGroup)"),
        "activedirectory": (ActiveDirectoryGroupType, "(objectClass=group)"),
    }
    if _group_kind.lower() not in _group_types:
        raise _ImproperlyConfigured(
            f"ANJU_LDAP_GROUP_TYPE {_group_kind!r}: one of groupOfNames, posixGroup, activedirectory"
        )
    _group_type, _group_filter = _group_types[_group_kind.lower()]
    AUTH_LDAP_GROUP_TYPE = _group_type()
    if env_str("ANJU_LDAP_GROUP_SEARCH_BASE", ""):
        AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
            env_str("ANJU_LDAP_GROUP_SEARCH_BASE", ""), ldap.SCOPE_SUBTREE, _group_filter
        )
# --- end of directory login ---------------------------------------------------------------------

# --- Hardening: login throttling, API schema access (tests/security/) ------------------------
# Failed logins per username and per client address within the window lock sign-in for
# ANJU_LOGIN_LOCK_SECONDS (webapp/accounts/throttle.py). The counts are kept in CACHES, which is
# Redis (shared by all web processes) whenever REDIS_URL is set. Behind a reverse proxy set
# ANJU_LOGIN_IP_HEADER=HTTP_X_FORWARDED_FOR, or every user shares the proxy's address.
ANJU_LOGIN_MAX_FAILURES = env_int("ANJU_LOGIN_MAX_FAILURES", 5)
ANJU_LOGIN_MAX_FAILURES_PER_IP = env_int("ANJU_LOGIN_MAX_FAILURES_PER_IP", ANJU_LOGIN_MAX_FAILURES)
ANJU_LOGIN_WINDOW_SECONDS = env_int("ANJU_LOGIN_WINDOW_SECONDS", 900)
ANJU_LOGIN_LOCK_SECONDS = env_int("ANJU_LOGIN_LOCK_SECONDS", 900)
ANJU_LOGIN_IP_HEADER = env_str("ANJU_LOGIN_IP_HEADER", "")
# The OpenAPI schema and its docs page are for signed-in users and token holders only.
SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = ["rest_framework.permissions.IsAuthenticated"]
# --- end of hardening --------------------------------------------------------------------------

# --- The owner's channel /my/ (webapp/owner/codes.py; docs/owner.md) ---------------------------
ANJU_OWNER_CODE_SECONDS = env_int("ANJU_OWNER_CODE_SECONDS", 300)  # a sign-in code's life
ANJU_OWNER_CODE_MAX_ATTEMPTS = env_int("ANJU_OWNER_CODE_MAX_ATTEMPTS", 5)  # wrong tries per code
ANJU_OWNER_SENDS_PER_MINUTE = env_int("ANJU_OWNER_SENDS_PER_MINUTE", 1)  # codes per number
ANJU_OWNER_SENDS_PER_HOUR = env_int("ANJU_OWNER_SENDS_PER_HOUR", 5)  # codes per number
ANJU_OWNER_SENDS_PER_IP_HOUR = env_int("ANJU_OWNER_SENDS_PER_IP_HOUR", 20)  # codes per client address
ANJU_OWNER_VERIFIES_PER_IP_HOUR = env_int("ANJU_OWNER_VERIFIES_PER_IP_HOUR", 60)  # code checks per address
ANJU_OWNER_DUE_WARNING_DAYS = env_int("ANJU_OWNER_DUE_WARNING_DAYS", 7)  # warn of bills due within
# --- end of the owner's channel ------------------------------------------------------------------

# --- Request size limits (webapp/common/limits.py; the table is in docs/security.md) -----------
# A body above its route's limit is answered 413 from its Content-Length before a byte is read (a
# chunked one once it passes the limit while streaming), so nothing larger is ever spooled. The
# upload routes stay just above what their views accept, so a file too large still gets the view's
# 400 naming it; the default stays above Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) for the same
# reason with JSON and form bodies.
_MULTIPART_OVERHEAD = 64 * 1024  # part headers of up to DATA_UPLOAD_MAX_NUMBER_FILES files, fields
ANJU_MAX_FORM_REQUEST_BYTES = env_int("ANJU_MAX_FORM_REQUEST_BYTES", 16 * 1024)  # sign-in, language
ANJU_MAX_REQUEST_BYTES = env_int("ANJU_MAX_REQUEST_BYTES", 3 * 1024 * 1024)  # JSON API, other pages
ANJU_MAX_DEPLOY_REQUEST_BYTES = env_int(
    "ANJU_MAX_DEPLOY_REQUEST_BYTES", 4 * ANJU_MAX_UPLOAD_BYTES + _MULTIPART_OVERHEAD
)
ANJU_MAX_IMPORT_REQUEST_BYTES = env_int(
    "ANJU_MAX_IMPORT_REQUEST_BYTES", ANJU_MAX_UPLOAD_BYTES + _MULTIPART_OVERHEAD
)
ANJU_MAX_PHOTO_REQUEST_BYTES = env_int(  # MAX_PHOTOS (9) photos per submission (webapp/common/images.py)
    "ANJU_MAX_PHOTO_REQUEST_BYTES", 9 * ANJU_MAX_PHOTO_BYTES + _MULTIPART_OVERHEAD
)
# --- end of request size limits ----------------------------------------------------------------
