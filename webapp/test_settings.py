"""Test settings, in one place: fast hashing, eager tasks, in-memory mail, no network."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ANJU_SERVICE_BACKOFF_SECONDS = 10
ANJU_SERVICE_MAX_ATTEMPTS = 3
# billing runs and notices inline after the commit (webapp/billing/background.py)
ANJU_BACKGROUND_THREADS = False
LOGGING = {"version": 1, "disable_existing_loggers": False}

import os  # noqa: E402

# One test database per test process: concurrent runs (CI, a developer's second terminal) never
# share it, so one run's teardown cannot drop another's database.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}  # noqa: F405
