"""Locust users for the HTTP load benchmark (bench/load.py): the complaint path through the REST API.

Each Locust user is one service desk: a 客服 agent and an engineer of 工程部 (`load_agent_NN`,
`load_engineer_NN`, made by bench/load.py with the demo password), who log in the way API clients
do here (`POST /api/auth/token/`, then `Authorization: Token …`) and then run complaints back to
back, without think time, along the path of bench/complaint.py:

    agent     POST /api/process-instances/              受理登记 (the intake form)
    agent     inbox → task → complete          派单 (engineering, normal)
    engineer  inbox → task → complete          工程部处理
    agent     inbox → task → complete          督办 (accept)
    agent     inbox → task → complete          回访 (satisfied) → closed

where *inbox* is `GET /api/tasks/?mine=1&claimable=1&q=<business key>` (what a client shows when
the person looks the case up), *task* `GET /api/tasks/{id}/` (the form and the data) and *complete*
`POST /api/tasks/{id}/complete/`, which takes a claimable task for its completer in the same step
(13 requests per complaint). With ANJU_LOAD_CLAIM=1 a desk first claims an unclaimed task
(`POST /api/tasks/{id}/claim/`), as the inbox page's 认领 button does (17 requests). A complaint counts when its last complete returns. When a step's
task is not in the inbox yet (an asynchronous service call still holds it) the inbox is asked again
after a short pause, up to WAIT_LIMIT_S, and each repeat is counted as a wait. When a start or
complete response lists `next_tasks`, whether it named the task the inbox then showed is counted.

Run by bench/load.py as `python -m bench.locustfile --host … --users N --seconds S --out file.json`
(Locust as a library: the figures are taken over a window that opens once every user has logged
in and the warm-up has passed). `locust -f bench/locustfile.py --headless …` runs it too (the
ANJU_LOAD_* variables below say which people to log in as).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `locust -f bench/locustfile.py` puts bench/ on the path, not the root
    sys.path.insert(0, str(ROOT))

from bench.complaint import STEPS, intake, percentile  # noqa: E402

PASSWORD = os.environ.get("ANJU_LOAD_PASSWORD", "anju2026")
# How many desks bench/load.py made (load_agent_01 …); 0: every user is the demo's agent and engineer.
DESKS = int(os.environ.get("ANJU_LOAD_DESKS", "0"))
CLAIM = os.environ.get("ANJU_LOAD_CLAIM", "0") not in ("0", "false", "no")
WAIT_LIMIT_S = 15.0  # a task that is not in the inbox by then is an error
WAIT_PAUSES_S = (0.02, 0.05, 0.1, 0.2)  # then 0.2 s between asks
KINDS = ("login", "start", "inbox", "inbox (again)", "claim", "task", "complete")
_desk_numbers = itertools.count(1)


class ComplaintFailed(Exception):
    """The complaint could not go on (an error response, a task that never came): counted, dropped."""


@dataclass
class Tally:
    """What the users did inside the measuring window (requests are counted when they end)."""

    logged_in: int = 0
    window_open: bool = False
    opened_at: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)  # kind → ms
    failures: dict[str, int] = field(default_factory=dict)
    complaints: list[int] = field(default_factory=list)  # instance ids, closed inside the window
    complaint_ms: list[float] = field(default_factory=list)
    waits: int = 0  # inbox asked again because the task was not there yet
    waited_steps: int = 0
    next_tasks_seen: int = 0  # responses with next_tasks
    next_tasks_named: int = 0  # … that named the task the inbox then showed
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    all_errors: int = 0  # errors before the window too (logins, warm-up)

    def reset(self) -> None:
        self.latencies, self.failures, self.complaints, self.complaint_ms = {}, {}, [], []
        self.waits = self.waited_steps = self.next_tasks_seen = self.next_tasks_named = 0
        self.errors, self.error_count = [], 0

    def error(self, message: str) -> None:
        self.all_errors += 1
        if self.window_open:
            self.error_count += 1
            if len(self.errors) < 10:
                self.errors.append(message)


TALLY = Tally()


@events.request.add_listener
def _on_request(name: str, response_time: float, exception: Any = None, **_kw: Any) -> None:
    if exception is not None:
        TALLY.error(f"{name}: {exception}"[:300])
    if not TALLY.window_open:
        return
    TALLY.latencies.setdefault(name, []).append(response_time)
    if exception is not None:
        TALLY.failures[name] = TALLY.failures.get(name, 0) + 1


class ComplaintDesk(FastHttpUser):
    """An agent and an engineer working complaints through the API, one after another."""

    wait_time = constant(0)
    # gunicorn keeps a connection open 2 s between requests (keepalive); the users never pause.
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        number = next(_desk_numbers)
        if DESKS:
            desk = (number - 1) % DESKS + 1
            self.people = {"agent": f"load_agent_{desk:02d}", "engineer": f"load_engineer_{desk:02d}"}
        else:
            self.people = {"agent": "agent", "engineer": "engineer"}
        self.tokens = {role: self._login(username) for role, username in self.people.items()}
        self.serial = number * 100_000
        TALLY.logged_in += 1

    def _login(self, username: str) -> str:
        with self.client.post(
            "/api/auth/token/",
            json={"username": username, "password": PASSWORD},
            name="login",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                message = f"login {username}: {response.status_code} {(response.text or '')[:200]}"
                response.failure(message)
                print(message, file=sys.stderr)
                raise StopUser()
            return response.json()["token"]

    def _call(
        self, role: str, method: str, url: str, kind: str, *, body: Any = None, expect: int = 200
    ) -> Any:
        headers = {"Authorization": f"Token {self.tokens[role]}"}
        with self.client.request(
            method, url, name=kind, json=body, headers=headers, catch_response=True
        ) as response:
            if response.status_code != expect:
                message = f"{method} {url}: {response.status_code} {(response.text or '')[:300]}"
                response.failure(message)
                raise ComplaintFailed(message)
            return response.json()

    @task
    def complaint(self) -> None:
        began = time.perf_counter()
        self.serial += 1
        try:
            started = self._call(
                "agent",
                "POST",
                "/api/process-instances/",
                "start",
                body={"process_key": "complaint", "data": intake(self.serial)},
                expect=201,
            )
            key, instance_id = started["business_key"], started["id"]
            hint = started.get("next_tasks")
            for element_id, username, data in STEPS:
                role = "agent" if username == "agent" else "engineer"
                found = self._find(role, key, element_id, hint)
                if CLAIM and found["assignee"] is None:
                    self._call(role, "POST", f"/api/tasks/{found['id']}/claim/", "claim")
                self._call(role, "GET", f"/api/tasks/{found['id']}/", "task")
                done = self._call(
                    role, "POST", f"/api/tasks/{found['id']}/complete/", "complete", body={"data": data}
                )
                hint = done.get("next_tasks")
        except ComplaintFailed:
            return  # the request listener counted it
        except Exception as exc:  # an odd answer: counted, the desk goes on
            TALLY.error(f"complaint: {type(exc).__name__}: {exc}"[:300])
            return
        if TALLY.window_open:
            TALLY.complaints.append(instance_id)
            TALLY.complaint_ms.append((time.perf_counter() - began) * 1000)

    def _find(self, role: str, key: str, element_id: str, hint: Any) -> dict[str, Any]:
        """The step's task as the person's inbox shows it (mine or claimable, searched by the key)."""
        url = "/api/tasks/?" + urlencode({"mine": 1, "claimable": 1, "q": key})
        deadline = time.monotonic() + WAIT_LIMIT_S
        asks = 0
        while True:
            page = self._call(role, "GET", url, "inbox" if asks == 0 else "inbox (again)")
            found = [t for t in page["results"] if t["instance"]["business_key"] == key]
            if found:
                break
            if time.monotonic() > deadline:
                message = f"{key}: {element_id} not in {self.people[role]}'s inbox after {WAIT_LIMIT_S:.0f} s"
                TALLY.error(message)
                raise ComplaintFailed(message)
            if TALLY.window_open:
                TALLY.waits += 1
                TALLY.waited_steps += asks == 0
            time.sleep(WAIT_PAUSES_S[min(asks, len(WAIT_PAUSES_S) - 1)])  # gevent-patched
            asks += 1
        if len(found) != 1 or found[0]["element_id"] != element_id:
            shown = [t["element_id"] for t in found]
            TALLY.error(f"{key}: expected {element_id}, the inbox shows {shown}")
            raise ComplaintFailed(f"{key}: expected {element_id}, found {shown}")
        if hint is not None and TALLY.window_open:
            TALLY.next_tasks_seen += 1
            TALLY.next_tasks_named += any(t.get("id") == found[0]["id"] for t in hint)
        return found[0]


# --- Locust as a library (bench/load.py) ---------------------------------------------------------


def summary(seconds: float, cpu_seconds: float) -> dict[str, Any]:
    """The window's figures: complaints/s, requests/s, latency percentiles overall and per kind."""
    every = [ms for kind, values in TALLY.latencies.items() if kind != "login" for ms in values]
    order = {kind: i for i, kind in enumerate(KINDS)}
    kinds = {
        kind: {
            "n": len(values),
            "p50": percentile(values, 0.50),
            "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99),
            "failures": TALLY.failures.get(kind, 0),
        }
        for kind, values in sorted(TALLY.latencies.items(), key=lambda kv: order.get(kv[0], 99))
    }
    return {
        "seconds": seconds,
        "complaints": len(TALLY.complaints),
        "complaints_per_s": len(TALLY.complaints) / seconds,
        "requests": len(every),
        "requests_per_s": len(every) / seconds,
        "p50": percentile(every, 0.50),
        "p95": percentile(every, 0.95),
        "p99": percentile(every, 0.99),
        "kinds": kinds,
        "complaint_p50_ms": percentile(TALLY.complaint_ms, 0.50),
        "complaint_p95_ms": percentile(TALLY.complaint_ms, 0.95),
        "waits": TALLY.waits,
        "waited_steps": TALLY.waited_steps,
        "next_tasks_seen": TALLY.next_tasks_seen,
        "next_tasks_named": TALLY.next_tasks_named,
        "errors": TALLY.error_count,
        "error_samples": TALLY.errors,
        "errors_outside_window": TALLY.all_errors - TALLY.error_count,
        "locust_cpu_share": cpu_seconds / seconds,
        "instance_ids": TALLY.complaints,
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(host: str, users: int, seconds: float, warmup: float) -> dict[str, Any]:
    """Start `users` desks at once, wait for their logins and the warm-up, measure `seconds`."""
    import gevent
    from locust.env import Environment

    environment = Environment(user_classes=[ComplaintDesk], host=host, events=events)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=users)
    deadline = time.monotonic() + 120
    while TALLY.logged_in < users:
        if time.monotonic() > deadline or TALLY.all_errors:  # a login failed: the figures would be off
            runner.quit()
            raise SystemExit(f"only {TALLY.logged_in} of {users} users logged in")
        gevent.sleep(0.1)
    gevent.sleep(warmup)
    TALLY.reset()
    print("WINDOW OPEN", flush=True)
    cpu, began = _cpu(), time.perf_counter()
    TALLY.window_open, TALLY.opened_at = True, began
    gevent.sleep(seconds)
    TALLY.window_open = False
    elapsed, cpu = time.perf_counter() - began, _cpu() - cpu
    print("WINDOW CLOSED", flush=True)
    result = summary(elapsed, cpu)
    runner.quit()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--out", required=True, help="where to write the figures (JSON)")
    args = parser.parse_args()
    result = run(args.host, args.users, args.seconds, args.warmup)
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
