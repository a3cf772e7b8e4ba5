"""Background work of billing: a Celery task in production mode, a daemon thread in embedded
(eager) mode, started once the current transaction commits (as realestate.imports does)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction

logger = logging.getLogger(__name__)
LOCKED_RETRIES = 3


def start(task: Any, function: Callable[..., object], *args: Any) -> None:
    """After commit: `task.delay(*args)` in production, `function(*args)` in a thread in embedded mode
    (inline, right after the commit, when ANJU_BACKGROUND_THREADS is off: the tests)."""
    if settings.CELERY_TASK_ALWAYS_EAGER and not settings.ANJU_BACKGROUND_THREADS:
        transaction.on_commit(lambda: function(*args))
    elif settings.CELERY_TASK_ALWAYS_EAGER:
        thread = threading.Thread(target=_in_thread, args=(function, *args), daemon=True)
        transaction.on_commit(thread.start)
    else:
        transaction.on_commit(lambda: task.delay(*args))


def _in_thread(function: Callable[..., object], *args: Any) -> None:
    try:
        for attempt in range(LOCKED_RETRIES + 1):
            try:
                function(*args)
                return
            except OperationalError as exc:  # SQLite still locked by another writer: try again
                if attempt == LOCKED_RETRIES:
                    logger.warning("%s%s not run: %s", function.__name__, args, exc)
                    return
                time.sleep(2**attempt)
    finally:
        connection.close()
