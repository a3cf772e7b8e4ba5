"""Where the web workers spend their time in the HTTP load benchmark (bench/load.py --profile).

Two views, each from a run of its own at the largest user count (both slow the server down, so
neither run's throughput is a figure of the benchmark):

- **py-spy** samples the running threads of every gunicorn worker (CPU, not waits) at 250 Hz; the
  stacks are sorted into categories (DB driver, ORM, SpiffWorkflow, DRF, auth, …) per request kind.
- **cProfile per request kind**: gunicorn serves `bench.load_profile:profiled_application()`, Django's WSGI
  application wrapped so that each request runs under a profiler of its kind (start, inbox, claim,
  task, complete, login) timed by the thread's CPU clock, and every SQL statement is counted by
  statement and table. Each worker writes its profiles when it exits (var/load-logs/cprofile/).

Nothing here is imported by the application: only the benchmark names it on gunicorn's command line.
"""

from __future__ import annotations

import atexit
import cProfile
import json
import os
import pstats
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "var" / "load-logs"
CPROFILE_DIR = LOGS / "cprofile"
CPU_DIR = LOGS / "cpu"
# bench/load.py makes this file while the measuring window is open: requests outside it (logins,
# warm-up, a fresh worker's first requests) are neither profiled nor counted.
WINDOW_FLAG = LOGS / "window-open"

_TASK = re.compile(r"^/api/tasks/\d+/$")


def request_kind(method: str, path: str) -> str:
    """The benchmark's name for a request (bench/locustfile.py), from its method and path."""
    if path == "/api/process-instances/" and method == "POST":
        return "start"
    if path == "/api/tasks/" and method == "GET":
        return "inbox"
    if path.startswith("/api/tasks/") and path.endswith("/claim/"):
        return "claim"
    if path.startswith("/api/tasks/") and path.endswith("/complete/"):
        return "complete"
    if _TASK.match(path) and method == "GET":
        return "task"
    if path == "/api/auth/token/":
        return "login"
    return "other"


# --- the profiling WSGI application (gunicorn bench.load_profile:application) ---------------------


class _Profiles:
    """Per request kind: requests, thread CPU seconds, SQL statements; with `cprofile`, one profiler
    per (thread, kind) as well (a profiler serves one thread at a time)."""

    def __init__(self, folder: Path, cprofile: bool) -> None:
        self.folder, self.cprofile = folder, cprofile
        self.profilers: dict[tuple[int, str], cProfile.Profile] = {}
        self.requests: Counter[str] = Counter()
        self.cpu: Counter[str] = Counter()
        self.statements: dict[str, Counter[str]] = {}
        self.lock = threading.Lock()

    def profiler(self, kind: str) -> cProfile.Profile | None:
        if not self.cprofile:
            return None
        key = (threading.get_ident(), kind)
        with self.lock:
            if key not in self.profilers:
                self.profilers[key] = cProfile.Profile(time.thread_time)
            return self.profilers[key]

    def dump(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        pid = os.getpid()
        for (thread, kind), profiler in self.profilers.items():
            profiler.dump_stats(str(self.folder / f"{kind}-{pid}-{thread}.prof"))
        counts = {
            "requests": dict(self.requests),
            "cpu": dict(self.cpu),
            "statements": {k: dict(v) for k, v in self.statements.items()},
        }
        (self.folder / f"counts-{pid}.json").write_text(json.dumps(counts), encoding="utf-8")


from bench.complaint import statement_kind  # noqa: E402  (the same kinds as bench.complaint --sql)


def profiled(app: Callable[..., Iterable[bytes]], cprofile: bool) -> Callable[..., Iterable[bytes]]:
    from django.db import connection

    profiles = _Profiles(CPROFILE_DIR if cprofile else CPU_DIR, cprofile)
    atexit.register(profiles.dump)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not WINDOW_FLAG.exists():
            return app(environ, start_response)
        kind = request_kind(environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))
        statements = Counter[str]()

        def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            statements[statement_kind(sql)] += 1
            return execute(sql, params, many, context)

        profiler = profiles.profiler(kind)
        if profiler is not None:
            profiler.enable()
        cpu = time.thread_time()
        try:
            with connection.execute_wrapper(count):
                result = app(environ, start_response)
                try:
                    return list(result)  # the whole response inside the profile
                finally:
                    if hasattr(result, "close"):
                        result.close()  # request_finished: connections closed or kept as configured
        finally:
            if profiler is not None:
                profiler.disable()
            with profiles.lock:
                profiles.cpu[kind] += time.thread_time() - cpu
                profiles.requests[kind] += 1
                profiles.statements.setdefault(kind, Counter()).update(statements)

    return application


def profiled_application(cprofile: bool = False) -> Callable[..., Iterable[bytes]]:
    """gunicorn's app factory: `gunicorn 'bench.load_profile:profiled_application()'` counts each
    request kind's thread CPU time and SQL statements; `…(True)` runs cProfile in every request too."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    from django.core.wsgi import get_wsgi_application

    return profiled(get_wsgi_application(), cprofile)


# --- reading the cProfile output --------------------------------------------------------------------

# (label, file suffix, function names): where each share of a request's CPU goes. Nested ones
# overlap (the handler holds the engine step, which holds SQL compiling …).
MARKERS: list[tuple[str, str, tuple[str, ...]]] = [
    ("DRF view (dispatch)", "rest_framework/views.py", ("dispatch",)),
    ("auth (perform_authentication: token, user)", "rest_framework/views.py", ("perform_authentication",)),
    ("permissions (check_permissions: HasRight)", "rest_framework/views.py", ("check_permissions",)),
    ("user.has_perm", "django/contrib/auth/models.py", ("has_perm", "has_perms")),
    ("handler (webapp/api/views.py)", "webapp/api/views.py", ("create", "list", "retrieve", "claim", "complete")),
    ("access checks (engine/access.py)", "engine/access.py", ("access_task", "access_instance", "visible_tasks",
                                                             "check_may_start", "may_work")),
    ("engine step (runner.run_step)", "engine/runner.py", ("run_step",)),
    ("SpiffWorkflow restore", "SpiffWorkflow/bpmn/serializer/workflow.py", ("from_dict", "deserialize_json")),
    ("SpiffWorkflow serialize", "SpiffWorkflow/bpmn/serializer/workflow.py", ("to_dict", "serialize_json")),
    ("form validation (actions._form_errors)", "engine/actions.py", ("_form_errors",)),
    ("task data (inspect.task_data)", "engine/inspect.py", ("task_data",)),
    ("form options (options.resolved)", "engine/options.py", ("resolved",)),
    ("serializers (.data)", "rest_framework/serializers.py", ("data",)),
    ("JSON rendering", "rest_framework/renderers.py", ("render",)),
    ("SQL compiling (compiler.as_sql)", "django/db/models/sql/compiler.py", ("as_sql",)),
    ("SQL execute, CPU side (psycopg)", "django/db/backends/utils.py", ("_execute",)),
    ("model instances from rows (from_db)", "django/db/models/base.py", ("from_db",)),
]  # fmt: skip


def _cumulative(stats: pstats.Stats, suffix: str, functions: tuple[str, ...]) -> float:
    """Cumulative seconds of the named functions in files ending with `suffix`, counting only
    outermost calls (a call from one of them to another of them is not added again)."""
    total = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if name in functions and filename.endswith(suffix):
            nested = sum(
                caller[3]
                for (c_file, _l, c_name), caller in callers.items()
                if c_name in functions and c_file.endswith(suffix)
            )
            total += ct - nested
    return total


def _counts(folder: Path) -> tuple[Counter[str], Counter[str], dict[str, Counter[str]]]:
    requests: Counter[str] = Counter()
    cpu: Counter[str] = Counter()
    statements: dict[str, Counter[str]] = {}
    for path in folder.glob("counts-*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        requests.update(data["requests"])
        cpu.update(data["cpu"])
        for kind, per in data["statements"].items():
            statements.setdefault(kind, Counter()).update(per)
    return requests, cpu, statements


KINDS = ("start", "inbox", "claim", "task", "complete", "login")


def summarize_cpu() -> list[str]:
    """Thread CPU ms and SQL statements per request of each kind (no profiler: real costs)."""
    requests, cpu, statements = _counts(CPU_DIR)
    lines = ["web workers' CPU per request (thread CPU time, no profiler) and SQL statements per request:"]
    for kind in KINDS:
        n = requests.get(kind, 0)
        if not n:
            continue
        per = statements.get(kind, Counter())
        top = ", ".join(f"{name} {c / n:.1f}" for name, c in per.most_common(12))
        lines.append(f"  {kind:<9} {n:>6} requests {1000 * cpu[kind] / n:6.1f} ms CPU  "
                     f"{sum(per.values()) / n:5.1f} SQL: {top}")  # fmt: skip
    return lines


def summarize_cprofile() -> list[str]:
    counts_requests, _cpu, statements = _counts(CPROFILE_DIR)
    lines = [
        "cProfile of the web workers by request kind (thread CPU time; cProfile's own cost inflates it):"
    ]
    for kind in KINDS:
        files = [str(p) for p in CPROFILE_DIR.glob(f"{kind}-*.prof")]
        n = counts_requests.get(kind, 0)
        if not files or not n:
            continue
        stats = pstats.Stats(*files)
        total = stats.total_tt  # type: ignore[attr-defined]
        sql = sum(statements.get(kind, Counter()).values()) / n
        lines.append(
            f"  {kind}: {n} requests, {1000 * total / n:.1f} ms CPU each, {sql:.1f} SQL statements each"
        )
        parts = []
        for label, suffix, functions in MARKERS:
            seconds = _cumulative(stats, suffix, functions)
            if seconds / total >= 0.02:
                parts.append(f"{label} {100 * seconds / total:.0f}%")
        lines.append("    " + "; ".join(parts))
        own = sorted(
            ((tt, f"{Path(f).name}:{fn}") for (f, _l, fn), (_cc, _nc, tt, _ct, _c) in stats.stats.items()),  # type: ignore[attr-defined]
            reverse=True,
        )[:6]
        lines.append(
            "    most self time: " + ", ".join(f"{name} {100 * tt / total:.0f}%" for tt, name in own)
        )
    return lines


# --- reading py-spy's raw (folded) stacks -------------------------------------------------------------

# What a sample's stack is doing: the first category one of whose needles is in the innermost
# frame that has any needle at all wins. A frame of the raw format is "function (path:line)".
CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("DB driver (psycopg)", ("psycopg/", "psycopg_binary")),
    ("SpiffWorkflow", ("SpiffWorkflow/",)),
    ("form validation (jsonschema, forms/)", ("jsonschema/", "/forms/", "referencing/")),
    ("engine/", ("/engine/",)),
    ("DRF serializers, JSON", ("rest_framework/serializers.py", "rest_framework/fields.py",
                               "rest_framework/renderers.py", "rest_framework/utils/", "/json/")),
    ("auth, sessions, permissions", ("rest_framework/authentication.py", "contrib/auth/", "contrib/sessions/",
                                     "webapp/common/rights.py", "rest_framework/permissions.py",
                                     "webapp/accounts/")),
    ("Django ORM", ("django/db/",)),
    ("Django request, middleware, URLs, i18n", ("django/",)),
    ("DRF views", ("rest_framework/",)),
    ("webapp/", ("/webapp/",)),
    ("gunicorn (HTTP)", ("gunicorn/",)),
]  # fmt: skip
HANDLERS = {("create", "webapp/api/views.py"): "start", ("list", "webapp/api/views.py"): "inbox",
            ("claim", "webapp/api/views.py"): "claim", ("retrieve", "webapp/api/views.py"): "task",
            ("complete", "webapp/api/views.py"): "complete",
            ("post", "webapp/accounts/throttle.py"): "login"}  # fmt: skip


def _frame(text: str) -> tuple[str, str]:
    function, _, rest = text.partition(" (")
    return function, rest.rsplit(":", 1)[0]


def _category(stack: list[tuple[str, str]]) -> str:
    for _function, path in reversed(stack):
        for label, needles in CATEGORIES:
            if any(needle in path for needle in needles):
                return label
    return "other"


def _kind(stack: list[tuple[str, str]]) -> str:
    for function, path in stack:
        for (name, suffix), kind in HANDLERS.items():
            if function.rsplit(".", 1)[-1] == name and path.endswith(suffix):
                return kind
    for function, _path in stack:
        if function.rsplit(".", 1)[-1] in ("perform_authentication", "check_permissions", "initial"):
            return "(DRF before the handler: auth, permissions)"
    for function, path in stack:
        if function.endswith(".render") or "renderers.py" in path:
            return "(rendering the response)"
    for function, path in stack:
        if "middleware" in path.lower() or "Middleware" in function:
            return "(middleware outside the view)"
    return "(gunicorn, WSGI, elsewhere)"


def summarize_py_spy() -> list[str]:
    totals: Counter[str] = Counter()
    per_kind: dict[str, Counter[str]] = {}
    for path in LOGS.glob("py-spy-web-*.txt"):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            stack_text, _, count_text = line.rpartition(" ")
            if not count_text.isdigit():
                continue
            stack = [_frame(f) for f in stack_text.split(";") if f and " (" in f]
            kind = _kind(stack)
            totals[kind] += int(count_text)
            per_kind.setdefault(kind, Counter())[_category(stack)] += int(count_text)
    everything = sum(totals.values())
    if not everything:
        return ["py-spy: no samples"]
    lines = [f"py-spy: {everything} samples of the web workers' running threads, share by request kind:"]
    for kind, n in totals.most_common():
        parts = ", ".join(f"{c} {100 * m / n:.0f}%" for c, m in per_kind[kind].most_common(6))
        lines.append(f"  {kind:<44} {100 * n / everything:5.1f}%  ({parts})")
    return lines
