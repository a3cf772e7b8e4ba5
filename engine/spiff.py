"""Everything we configure in SpiffWorkflow 3.2, in one place.

- the parser (Spiff extensions + DMN) with our asynchronous service task;
- a serializer that writes only workflow state; spec objects come from the deployed version,
  parsed or restored once per process and cached (see ../shared/SPIFF.md, "converts the whole spec");
- the script engine running diagram code in `engine.sandbox`;
- patches for two traps: the task-tree depth limit of 1000 (long loops stall silently) and
  timers reading the system clock.
"""

from __future__ import annotations

import json
import threading
import zlib
from collections import OrderedDict
from copy import deepcopy
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_VERSION
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter
from SpiffWorkflow.spiff.specs.defaults import ServiceTask as SpiffServiceTask
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from . import clock, sandbox

# SpiffWorkflow walks the task tree with a default depth limit of 1000: a 3-node loop stops after
# ~333 rounds with no error. The tree is walked iteratively, so a large limit costs nothing extra.
TREE_DEPTH_LIMIT = 10_000_000

SERVICE_REQUEST = "anju_service_request"
NEW_REQUESTS = "anju_new_requests"  # attribute of the top workflow: service tasks that just asked


def new_requests(workflow: BpmnWorkflow) -> list[SpiffTask]:
    """Take the service tasks that asked for a call since the last look (in memory only)."""
    found: list[SpiffTask] = workflow.__dict__.pop(NEW_REQUESTS, [])
    return found


class AsyncServiceTask(SpiffServiceTask):
    """A service task that does not call anything while the workflow is locked.

    On reaching it, the parameters are evaluated (in the sandbox) and stored in the task's internal
    data; the task stays STARTED. The runner turns that into a ServiceCall row; the adapter runs
    after commit and a later engine step records the result and completes the task.
    """

    def _execute(self, task: SpiffTask) -> bool | None:
        params = {
            name: task.workflow.script_engine.evaluate(task, param["value"])
            for name, param in self.operation_params.items()
        }
        task._set_internal_data(**{SERVICE_REQUEST: {"operator": self.operation_name, "params": params}})
        task.workflow.top_workflow.__dict__.setdefault(NEW_REQUESTS, []).append(task)
        return None


class EngineParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (ServiceTaskParser, AsyncServiceTask),
    }


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Writes the workflow without its spec; restores it onto spec objects given by the caller."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], specs: Specs | None = None, **kwargs: Any) -> BpmnWorkflow:
        if specs is None:
            raise ValueError("state-only workflows are restored with the specs of their version")
        workflow = self.target_class(specs.top, specs.subprocesses, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _build_registry() -> Any:
    config = deepcopy(SPIFF_CONFIG)
    config.pop(SpiffServiceTask, None)
    config[AsyncServiceTask] = ServiceTaskConverter
    config[BpmnWorkflow] = StateOnlyWorkflowConverter
    return BpmnWorkflowSerializer.configure(config)


REGISTRY = _build_registry()
_ENCODER = BpmnWorkflowSerializer(REGISTRY)._encoder_cls


@dataclass(frozen=True)
class Specs:
    """The spec objects of one deployed version: the top process and its called processes."""

    top: BpmnProcessSpec
    subprocesses: dict[str, BpmnProcessSpec]


def specs_to_json(specs: Specs) -> str:
    """Serialize a version's specs once, at deploy."""
    REGISTRY._encoder_mode = True
    try:
        dct = {
            "spec": REGISTRY.convert(specs.top),
            "subprocess_specs": {name: REGISTRY.convert(s) for name, s in specs.subprocesses.items()},
            "serializer_version": SERIALIZER_VERSION,
        }
        return json.dumps(dct, cls=_ENCODER)
    finally:
        REGISTRY._encoder_mode = False


def specs_from_json(text: str) -> Specs:
    dct = json.loads(text)
    top = REGISTRY.restore(dct["spec"])
    subs = {name: REGISTRY.restore(value) for name, value in dct["subprocess_specs"].items()}
    return Specs(top=top, subprocesses=subs)


class _SpecCache:
    """Specs per version id, restored once per process (versions are immutable)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[int, Specs] = {}

    def get(self, version_id: int, spec_json: str | None = None) -> Specs:
        specs = self._items.get(version_id)
        if specs is None:
            if spec_json is None:
                from .models import ProcessVersion

                spec_json = ProcessVersion.objects.values_list("spec_json", flat=True).get(pk=version_id)
            specs = specs_from_json(spec_json)
            with self._lock:
                self._items[version_id] = specs
        return specs

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


SPEC_CACHE = _SpecCache()


def script_engine() -> PythonScriptEngine:
    from django.conf import settings

    limit = getattr(settings, "ANJU_SCRIPT_TIME_LIMIT_MS", 200) / 1000
    return PythonScriptEngine(environment=sandbox.SandboxEnvironment(time_limit_s=limit))


_ENGINE: PythonScriptEngine | None = None


def shared_script_engine() -> PythonScriptEngine:
    """One script engine per process: it holds no per-workflow state."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = script_engine()
    return _ENGINE


def new_workflow(specs: Specs) -> BpmnWorkflow:
    return BpmnWorkflow(specs.top, specs.subprocesses, script_engine=shared_script_engine())


def dump_state(workflow: BpmnWorkflow) -> str:
    """The workflow's state (no spec) as JSON text, key order preserved: store it as text."""
    REGISTRY._encoder_mode = True
    try:
        dct = REGISTRY.convert(workflow)
        dct["serializer_version"] = SERIALIZER_VERSION
        return json.dumps(dct, cls=_ENCODER, ensure_ascii=False, separators=(",", ":"))
    finally:
        REGISTRY._encoder_mode = False


def encode_state(text: str) -> bytes:
    """What is stored: the serialized JSON, byte for byte, zlib-compressed (a complaint instance
    shrinks from ~14 KB to ~3 KB; compressing costs ~0.05 ms). Never re-encoded as jsonb."""
    return zlib.compress(text.encode("utf-8"), 3)


def decode_state(stored: bytes | memoryview) -> str:
    return zlib.decompress(bytes(stored)).decode("utf-8")


def load_state(text: str, specs: Specs) -> BpmnWorkflow:
    dct = json.loads(text)
    version = dct.pop("serializer_version", None)
    if version != SERIALIZER_VERSION:
        raise ValueError(f"state was written by serializer {version}, this engine reads {SERIALIZER_VERSION}")
    workflow = REGISTRY.restore(dct, specs=specs)
    workflow.script_engine = shared_script_engine()
    return workflow


class WorkflowCache:
    """Deserialized workflows of this process keyed by (instance id, revision).

    An entry is *taken* (removed) when a step starts and put back only after that step commits with
    the new revision, so a rolled-back step can never leave a mutated workflow behind.
    """

    def __init__(self, size: int = 256) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self.size = size

    def take(self, instance_id: int, revision: int) -> BpmnWorkflow | None:
        with self._lock:
            entry = self._items.pop(instance_id, None)
        if entry is not None and entry[0] == revision:
            return entry[1]
        return None

    def put(self, instance_id: int, revision: int, workflow: BpmnWorkflow) -> None:
        with self._lock:
            self._items[instance_id] = (revision, workflow)
            self._items.move_to_end(instance_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


WORKFLOW_CACHE = WorkflowCache()


def ready_user_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def install_patches() -> None:
    """Apply the library patches described in the module docstring (idempotent)."""
    from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
    from SpiffWorkflow.util.task import TaskIterator

    for cls in (TaskIterator, BpmnTaskIterator):
        defaults = list(cls.__init__.__defaults__ or ())
        # (end_at_spec, max_depth, ...): max_depth is the second keyword default in both classes.
        if len(defaults) >= 2 and defaults[1] != TREE_DEPTH_LIMIT:
            defaults[1] = TREE_DEPTH_LIMIT
            cls.__init__.__defaults__ = tuple(defaults)
    clock.install_spiff_clock()
