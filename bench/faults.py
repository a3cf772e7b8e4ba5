"""Fault injection: a stream of complaints while Celery worker processes are killed (SIGKILL) and
restarted. Production mode only (PostgreSQL and Redis).

Two workers (prefork, concurrency 2) and beat run as separate processes against one database;
this process drives each complaint through its four user tasks by the engine's actions (as the
API does) while a killer kills a random worker's whole process group every `kill_every` seconds
and starts it again. Figures: SMS per instance (the complaint sends exactly two: accepted,
closed), incidents, and the longest wait after the last kill.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anju REDIS_URL=redis://127.0.0.1:6379/0 \\
      .venv/bin/python -m bench.faults --complaints 120 --kills 30 --kill-every 3

`make test` runs a bounded version (tests/production/test_faults.py). The benchmark uses a
database of its own (`test_<name>_faults`), dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "var" / "fault-logs"


class Cluster:
    """Worker and beat processes of production mode, each in a process group of its own."""

    def __init__(self, database_url: str, broker: str, *, workers: int = 2, sweep_seconds: int = 1) -> None:
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "webapp.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": broker,
            "DB_CONN_MAX_AGE": "0",
            "ANJU_SWEEP_SECONDS": str(sweep_seconds),
        }
        celery = [sys.executable, "-m", "celery", "-A", "webapp"]
        self.commands = {
            f"worker{i}": [*celery, "worker", "-n", f"w{i}@%h", "--concurrency", "2", "-l", "info"]
            for i in range(1, workers + 1)
        }
        self.commands["beat"] = [*celery, "beat", "-l", "info", "-s", str(LOGS / "beat-schedule")]
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.kills = 0

    def start(self, name: str) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        log = (LOGS / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(  # noqa: S603 (our own command line)
            self.commands[name], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def start_all(self) -> None:
        for name in self.commands:
            self.start(name)

    def kill(self, name: str) -> None:
        """SIGKILL the worker and its pool children at once, as a crashed machine would."""
        process = self.processes[name]
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.kills += 1

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    @property
    def workers(self) -> list[str]:
        return [name for name in self.commands if name.startswith("worker")]


@dataclass
class Killer:
    moments: list[float] = field(default_factory=list)  # monotonic moments of the kills
    done: threading.Event = field(default_factory=threading.Event)


@contextmanager
def killer(cluster: Cluster, kills: int, every: float, seed: int = 11) -> Iterator[Killer]:
    """Kill a random worker every `every` seconds and restart it a moment later, `kills` times."""
    state = Killer()
    stop = threading.Event()
    chance = random.Random(seed)

    def run() -> None:
        try:
            for _ in range(kills):
                if stop.wait(every):
                    return
                name = chance.choice(cluster.workers)
                cluster.kill(name)
                state.moments.append(time.monotonic())
                time.sleep(chance.uniform(0.2, 1.0))
                cluster.start(name)
        finally:
            state.done.set()

    thread = threading.Thread(target=run, name="killer", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(every + 15)


@dataclass
class Figures:
    complaints: int
    kills: int
    completed: int = 0
    lost: int = 0  # instances with fewer than two SMS
    duplicated: int = 0  # instances with more than two SMS
    incidents: int = 0
    max_wait_after_last_kill_s: float = 0.0
    max_call_delay_s: float = 0.0  # a service call's creation to its recorded result
    slow_calls: int = 0  # calls that took over 5 s: their message or worker was lost
    seconds: float = 0.0
    unfinished: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"complaints {self.complaints}, completed {self.completed}, kills {self.kills}, {self.seconds:.0f} s",
            f"SMS lost {self.lost}, duplicated {self.duplicated}; incidents {self.incidents}",
            f"longest wait after the last kill: {self.max_wait_after_last_kill_s:.1f} s",
            f"longest service call (created → result): {self.max_call_delay_s:.1f} s; "
            f"{self.slow_calls} calls over 5 s (their message or worker was lost)",
        ]


def drive(users: dict[str, Any], count: int, kills: int, kill_every: float, cluster: Cluster,
          *, deadline_s: float = 600.0) -> Figures:  # fmt: skip
    """Start `count` complaints spread over the kills and work each one to its end."""
    from bench.complaint import STEPS, intake
    from engine import actions
    from engine.models import Incident, OutboxMessage, ProcessInstance, ServiceCall, Task

    began = time.monotonic()
    figures = Figures(complaints=count, kills=kills)
    done_at: dict[int, float] = {}
    spacing = kills * kill_every / max(count, 1)
    pending: list[int] = []
    with killer(cluster, kills, kill_every) as kill:
        while (pending or len(done_at) + len(pending) < count or not kill.done.is_set()) and (
            time.monotonic() - began < deadline_s
        ):
            progressed = False
            started = len(done_at) + len(pending)
            if started < count and time.monotonic() >= began + started * spacing:
                pending.append(actions.do_start_instance(users["agent"], "complaint", intake(started)).pk)
                progressed = True
            for instance_id in list(pending):
                status = ProcessInstance.objects.values_list("status", flat=True).get(pk=instance_id)
                if status != "running":
                    pending.remove(instance_id)
                    done_at[instance_id] = time.monotonic()
                    continue
                task = Task.objects.filter(instance_id=instance_id, state="ready").first()
                if task is None:
                    continue  # an SMS is on its way through a worker
                step = next((s for s in STEPS if s[0] == task.element_id), None)
                if step is None:
                    raise AssertionError(f"instance {instance_id} waits at {task.element_id}")
                _element, username, data = step
                claimed = actions.do_claim_task(users[username], task)
                actions.do_complete_task(users[username], claimed, data)
                progressed = True
            if not progressed:
                time.sleep(0.2)
        last_kill = kill.moments[-1] if kill.moments else began
        figures.kills = len(kill.moments)
    ids = list(done_at) + pending
    figures.unfinished = pending
    figures.seconds = time.monotonic() - began
    figures.completed = ProcessInstance.objects.filter(pk__in=ids, status="completed").count()
    for instance_id in ids:
        sms = OutboxMessage.objects.filter(instance_id=instance_id, channel="sms").count()
        figures.lost += sms < 2
        figures.duplicated += sms > 2
    figures.incidents = Incident.objects.filter(instance_id__in=ids).count()
    delays = [
        (done - created).total_seconds()
        for created, done in ServiceCall.objects.filter(instance_id__in=ids, completed_at__isnull=False)
        .values_list("created_at", "completed_at")
    ]  # fmt: skip
    figures.max_call_delay_s = max([0.0, *delays])
    figures.slow_calls = sum(d > 5 for d in delays)
    waits = [at - last_kill for at in done_at.values()]
    figures.max_wait_after_last_kill_s = max([0.0, *waits])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--complaints", type=int, default=120)
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--kill-every", type=float, default=3.0)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
        print("bench.faults needs production mode: DATABASE_URL (PostgreSQL) and REDIS_URL")
        return 2
    import django

    django.setup()
    import redis
    from django.db import connection

    from bench.complaint import create_test_database, destroy_test_database, setup_flow
    from tests.conftest import celery_through

    old_name = create_test_database("faults")
    try:
        users = setup_flow()
        db = connection.settings_dict
        broker = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/13"
        redis.Redis.from_url(broker).flushdb()
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        cluster = Cluster(url, broker)
        cluster.start_all()
        try:
            with celery_through(broker):
                figures = drive(users, args.complaints, args.kills, args.kill_every, cluster)
        finally:
            cluster.stop_all()
            connection.close()
        for line in figures.lines():
            print(line)
        return 0 if not (figures.lost or figures.duplicated or figures.incidents or figures.unfinished) else 1
    finally:
        destroy_test_database(old_name)


if __name__ == "__main__":
    sys.exit(main())
