"""Per-process caches of rows that change rarely, kept true across processes.

Every engine step that creates a task reads the company's SLA policies, and every start the latest
version of its flow: rows an administrator or analyst changes a few times a year. Each process keeps
them in memory together with a stamp; the stamp lives in Django's cache (Redis in production, shared
by every process on every machine) and is replaced whenever a row changes (on save and delete, and
again after the commit, so that nobody keeps what it read in between). A process uses its copy only
while the stamp it read before loading is still the current one: one cache GET instead of a query
and its objects. When the cache is unreachable, the rows are read from the database every time.
Bulk updates (QuerySet.update) send no signal: call `forget` after one. Until the transaction that
changed the rows ends, its thread reads them from the database (it may roll back); a copy is also
read again after `MAX_AGE_S`, in case a stamp could not be replaced while the cache was down.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.core.cache import cache
from django.db import connection, transaction

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
MAX_AGE_S = 300.0
# A stamp expires after a day (keys named by requests must not pile up); a new one means one reload.
STAMP_TTL_S = 86_400
CACHES: list[StampedCache[Any, Any]] = []


class StampedCache(Generic[K, V]):
    def __init__(self, name: str, load: Callable[[K], V], *, stamp_key: Hashable | None = None) -> None:
        """`stamp_key`: one stamp for every key (forget(stamp_key) drops them all), else one per key."""
        self.name = name
        self._load = load
        self._stamp_key = stamp_key
        self._local: dict[K, tuple[str, float, V]] = {}
        self._lock = threading.Lock()
        self._changing = threading.local()  # keys this thread changed in its open transaction
        CACHES.append(self)

    def _changed_here(self, key: K) -> bool:
        keys: set[Hashable] | None = getattr(self._changing, "keys", None)
        if not keys:
            return False
        if not connection.in_atomic_block:  # that transaction committed (and bumped) or rolled back
            keys.clear()
            return False
        return (key if self._stamp_key is None else self._stamp_key) in keys

    def _key(self, key: Hashable) -> str:
        """The stamp's cache key: hashed, since a key may come from a request (a flow's key)."""
        named = str(key if self._stamp_key is None else self._stamp_key)
        return f"anju:stamp:{self.name}:{hashlib.sha256(named.encode()).hexdigest()[:32]}"

    def _stamp(self, key: K) -> str | None:
        """The current stamp, made when there is none yet (first use, or evicted)."""
        try:
            stamp = cache.get(self._key(key))
            if stamp is None:
                cache.add(self._key(key), uuid.uuid4().hex, timeout=STAMP_TTL_S)
                stamp = cache.get(self._key(key))
        except Exception:  # the cache is down: read the database
            log.warning("stamp cache %s unreachable; reading the database", self.name, exc_info=True)
            return None
        return stamp if isinstance(stamp, str) else None

    def get(self, key: K) -> V:
        if self._changed_here(key):
            return self._load(key)
        stamp = self._stamp(key)
        if stamp is not None:
            with self._lock:
                held = self._local.get(key)
            if held is not None and held[0] == stamp and time.monotonic() - held[1] < MAX_AGE_S:
                return held[2]
        loaded_at = time.monotonic()
        value = self._load(key)  # read after the stamp: a change since has replaced the stamp
        if stamp is not None:
            with self._lock:
                self._local[key] = (stamp, loaded_at, value)
        return value

    def forget(self, key: Hashable) -> None:
        """The rows of `key` changed: every process reloads them (now, and after the commit)."""
        self._bump(key)
        if connection.in_atomic_block:
            keys = getattr(self._changing, "keys", None)
            if keys is None:
                keys = self._changing.keys = set()
            keys.add(key)
        transaction.on_commit(lambda: self._bump(key))

    def _bump(self, key: Hashable) -> None:
        with self._lock:
            if self._stamp_key is None:
                self._local.pop(key, None)  # type: ignore[arg-type]
            else:
                self._local.clear()
        try:
            cache.set(self._key(key), uuid.uuid4().hex, timeout=STAMP_TTL_S)
        except Exception:
            log.warning("stamp cache %s unreachable; other processes may read old rows", self.name)

    def clear_local(self) -> None:
        with self._lock:
            self._local.clear()
        self._changing.keys = set()


def clear_all_local() -> None:
    """Drop every process-local copy (tests: rows of a rolled-back test may reuse ids)."""
    for stamped in CACHES:
        stamped.clear_local()
