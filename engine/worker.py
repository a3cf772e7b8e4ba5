"""The in-process loop of embedded mode: a daemon thread that sweeps every few seconds, doing
what Celery beat + worker do in production."""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections

log = logging.getLogger(__name__)
HOUR = 3600.0


class InProcessLoop(threading.Thread):
    def __init__(self, interval: float = 2.0) -> None:
        super().__init__(name="anju-sweeper", daemon=True)
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        from .tasks import hourly, sweep

        log.info("in-process sweeper started (every %.0f s)", self.interval)
        last_hourly = -HOUR
        while not self._stop_event.wait(self.interval):
            close_old_connections()
            try:
                sweep()
                if time.monotonic() - last_hourly >= HOUR:
                    last_hourly = time.monotonic()
                    hourly()
            except Exception:  # keep the loop alive; the next round tries again
                log.exception("sweep failed")
            finally:
                close_old_connections()

    def stop(self) -> None:
        self._stop_event.set()
