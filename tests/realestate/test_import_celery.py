"""Production mode: an upload is sent to a real Celery worker through Redis (the Celery app
autodiscovers only the engine's tasks; the app's ready() must register realestate.run_import_job).

Runs when DATABASE_URL names PostgreSQL and REDIS_URL is set, as `make test` does."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from engine import clock
from tests.conftest import celery_through
from webapp.realestate.models import Room

from .conftest import room_row, upload, wait_for_job, xlsx

pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(
        not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres")),
        reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
    ),
]
ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "var" / "test-logs"


@pytest.fixture
def worker(transactional_db: None, settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    import redis

    broker = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/13"
    redis.Redis.from_url(broker).flushdb()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "webapp.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": broker,
        "DB_CONN_MAX_AGE": "0",
    }
    LOGS.mkdir(parents=True, exist_ok=True)
    log = (LOGS / "realestate-worker.log").open("w")
    command = [sys.executable, "-m", "celery", "-A", "webapp", "worker", "-n", "re@%h", "--concurrency", "1"]
    process = subprocess.Popen(
        [*command, "-l", "info"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False  # start_import_job sends the task instead of a thread
    clock.set_time(None)  # the worker reads the real clock; so must this process
    try:
        with celery_through(broker):
            yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_an_upload_is_imported_by_a_celery_worker(api, master, worker) -> None:
    client = api("sales")
    rows = [room_row(f"BH-9-1-{n}01", floor=n, name=f"{n}01") for n in range(1, 21)]
    started = time.monotonic()
    response = upload(client, "rooms", xlsx("rooms", rows))
    assert response.status_code == 202 and time.monotonic() - started < 5
    done = wait_for_job(client, response.json()["id"], timeout=60)
    assert done["status"] == "done" and done["imported_rows"] == 20
    assert Room.objects.filter(code__startswith="BH-9-1-").count() == 20
    log = (LOGS / "realestate-worker.log").read_text()
    assert "realestate.run_import_job" in log and "succeeded" in log  # the worker did it, not a thread
