"""Production mode for real: PostgreSQL, Redis as the broker, two Celery worker processes and
Celery beat, all separate processes sharing the test database.

Runs when DATABASE_URL names PostgreSQL and REDIS_URL is set (make test sets both when the
servers answer); skipped otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

from engine import clock
from engine.models import AuditEvent, OutboxMessage, ProcessInstance, Timer
from tests.conftest import celery_through
from tests.helpers import only_task, start

pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(
        not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres")),
        reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
    ),
]
ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "var" / "test-logs"


def wait_for(check: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def celery_processes(transactional_db: None) -> Iterator[None]:
    """Two workers and beat against the test database and a private Redis database."""
    import redis

    broker = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/14"
    redis.Redis.from_url(broker).flushdb()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "webapp.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": broker,
        "DB_CONN_MAX_AGE": "0",
        "ANJU_SWEEP_SECONDS": "1",
    }
    LOGS.mkdir(parents=True, exist_ok=True)
    celery = [sys.executable, "-m", "celery", "-A", "webapp"]
    commands = {
        "worker1": [*celery, "worker", "-n", "w1@%h", "--concurrency", "2", "-l", "info"],
        "worker2": [*celery, "worker", "-n", "w2@%h", "--concurrency", "2", "-l", "info"],
        "beat": [*celery, "beat", "-l", "info", "-s", str(LOGS / "beat-schedule")],
    }
    processes = []
    for name, command in commands.items():
        log = (LOGS / f"{name}.log").open("w")
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    clock.set_time(None)  # the workers read the real clock; so must this process
    try:
        with celery_through(broker):
            yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_service_calls_run_in_the_worker_and_timers_fire_from_beat(api, flow, celery_processes, settings):
    assert settings.DATABASE_VENDOR_IS_POSTGRES
    settings.ANJU_NOTIFY_IN_STEP = False  # the SMS stands in for an adapter that calls out
    flow("service")
    flow("quicktimer")
    agent = api("agent")

    started = start(agent, "service", {"customer_name": "王五", "customer_mobile": "13700137000"})
    # The SMS is sent by a worker process through Redis, then the worker's step creates the task.
    wait_for(lambda: OutboxMessage.objects.filter(instance_id=started["id"]).exists(), what="the SMS")
    wait_for(lambda: bool(only_task_or_none(agent, started["id"])), what="the next task")

    timed = [start(agent, "quicktimer")["id"] for _ in range(20)]
    wait_for(
        lambda: ProcessInstance.objects.filter(pk__in=timed, status="completed").count() == 20,
        timeout=90,
        what="20 timers fired by beat and two workers",
    )
    assert Timer.objects.filter(instance_id__in=timed, state="fired").count() == 20
    fired = AuditEvent.objects.filter(instance_id__in=timed, action="timer_fired")
    assert fired.count() == 20 and len({e.instance_id for e in fired}) == 20


def only_task_or_none(client, instance_id: int):  # type: ignore[no-untyped-def]
    try:
        return only_task(client, instance_id)
    except AssertionError:
        return None


def test_a_breach_raises_exactly_one_alert_and_one_sms_with_two_workers(api, flow, cast, celery_processes):
    from engine.models import Alert, SlaPolicy

    agent = cast["agent"]
    SlaPolicy.objects.create(
        company=agent.company, name="test: 6 s", process_key="loop", resolution_target="0.1m", mode="calendar",
        warn_percent=50, escalate_every_percent=1000,
    )  # fmt: skip
    flow("loop")
    client = api("agent")
    started = start(client, "loop", {"rounds": 0})
    task = only_task(client, started["id"])
    assert client.post(f"/api/tasks/{task['id']}/claim/").status_code == 200
    wait_for(
        lambda: Alert.objects.filter(task_id=task["id"], kind="breach").exists(),
        timeout=60,
        what="the breach",
    )
    time.sleep(3)  # three more sweeps by beat, taken by either worker
    breach = Alert.objects.get(task_id=task["id"], kind="breach")
    assert [u.username for u in breach.recipients.all()] == ["agent"]
    sms = OutboxMessage.objects.filter(
        template_id="SLA_ALERT", idempotency_key__startswith=f"sla:{breach.pk}:"
    )
    assert sms.count() == 1 and sms.get().recipient == "+8613800138001"
    assert Alert.objects.filter(task_id=task["id"]).count() == 2  # the warning and the breach, once each
