"""Fault injection in production mode (bench/faults.py, bounded): complaints stream through two
Celery workers and beat while workers are killed with SIGKILL and restarted. Nothing is lost or
sent twice, nothing becomes an incident, and no instance waits more than 60 s after the last kill.

`python -m bench.faults` runs the same with more complaints and kills and prints the figures.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.db import connection

from bench.faults import Cluster, drive
from engine import clock
from tests.conftest import celery_through

pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(
        not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres")),
        reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
    ),
]


@pytest.fixture
def cluster(transactional_db: None) -> Iterator[Cluster]:
    import redis

    broker = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/12"
    redis.Redis.from_url(broker).flushdb()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    running = Cluster(url, broker)
    running.start_all()
    clock.set_time(None)  # the workers read the real clock; so must this process
    try:
        with celery_through(broker):
            yield running
    finally:
        running.stop_all()


def test_complaints_survive_killed_workers(cast, flow, cluster):
    flow("complaint")
    figures = drive(cast, count=20, kills=5, kill_every=2.5, cluster=cluster, deadline_s=150)
    print("\n".join(figures.lines()))
    assert figures.kills == 5
    assert figures.unfinished == [] and figures.completed == 20
    assert figures.lost == 0 and figures.duplicated == 0
    assert figures.incidents == 0
    assert figures.max_wait_after_last_kill_s < 60
    assert figures.max_call_delay_s < 60  # a lost dispatch runs again after the short lease
