"""After-commit callbacks inside a test that is rolled back at its end.

Most tests run inside one transaction that is rolled back when they end (Django's `TestCase`
through pytest-django's `db`): that is what makes them cheap. The code under test, though, relies on
`transaction.on_commit` for its side effects (service calls, SMS, the workflow cache, Celery
tasks), and inside the test's transaction nothing ever commits. `commits_as_in_production()` makes
the callbacks run when they would run in production:

- a block that would be the outermost transaction in production (an `atomic` directly inside the
  test's own) runs the callbacks registered in it when it exits cleanly, in registration order;
  when it rolls back, Django drops them, as a real rollback would;
- `on_commit` called outside any block of the code's own (autocommit in production) runs at once.

Callbacks marked `robust` log their exceptions and the others raise, as in production. Tests that
need the real thing (threads, worker processes, the live server) keep `transactional_db`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.transaction import Atomic

logger = logging.getLogger(__name__)


def _outside_own_transaction(connection: BaseDatabaseWrapper, below: int = 0) -> bool:
    """True where production code would be in autocommit mode: only the test's blocks are open
    (leaving out the innermost `below` blocks)."""
    blocks = connection.atomic_blocks[: len(connection.atomic_blocks) - below]
    return all(getattr(block, "_from_testcase", False) for block in blocks)


def _call(func: Callable[[], Any], robust: bool) -> None:
    if not robust:
        func()
        return
    try:
        func()
    except Exception as exc:
        logger.error("Error calling %s in on_commit() (%s).", func.__qualname__, exc, exc_info=True)


def _run_pending(connection: BaseDatabaseWrapper) -> None:
    # As Django's run_and_clear_commit_hooks: the list is taken first, so that a callback's own
    # transaction runs its callbacks when it commits, before the rest of this list.
    pending, connection.run_on_commit = connection.run_on_commit, []
    while pending:
        _sids, func, robust = pending.pop(0)
        _call(func, robust)


@contextmanager
def commits_as_in_production(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    original_on_commit = BaseDatabaseWrapper.on_commit
    original_exit = Atomic.__exit__

    def on_commit(self: BaseDatabaseWrapper, func: Callable[[], Any], robust: bool = False) -> None:
        if self.alias == using and self.in_atomic_block and _outside_own_transaction(self):
            if not callable(func):
                raise TypeError("on_commit()'s callback must be a callable.")
            _call(func, robust)
            return
        original_on_commit(self, func, robust)

    def exit_(self: Atomic, exc_type: Any, exc_value: Any, traceback: Any) -> Any:
        connection = connections[self.using or DEFAULT_DB_ALIAS]
        # The block being exited is the last one open; it is the code's outermost when every block
        # around it is the test's.
        outermost = not self._from_testcase and _outside_own_transaction(connection, below=1)
        result = original_exit(self, exc_type, exc_value, traceback)
        if outermost and exc_type is None and connection.alias == using:
            _run_pending(connection)
        return result

    BaseDatabaseWrapper.on_commit = on_commit  # type: ignore[method-assign]
    Atomic.__exit__ = exit_  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseDatabaseWrapper.on_commit = original_on_commit  # type: ignore[method-assign]
        Atomic.__exit__ = original_exit  # type: ignore[method-assign]
