"""States saved by earlier releases stay loadable (STYLE.md 9): a complaint instance serialized
when it waited at 工程部处理 is stored again and worked to the end through the API."""

from pathlib import Path

from engine import clock
from engine.models import ProcessInstance, Task
from engine.spiff import SPEC_CACHE, encode_state, load_state, ready_user_tasks
from tests.conftest import deploy_folder
from tests.helpers import complete, instance, only_task

FIXTURES = Path(__file__).parent.parent / "fixtures" / "states"


def adopt(name: str, cast: dict) -> ProcessInstance:
    """Store a saved state as a running instance, with its task rows, as the engine left it."""
    version = deploy_folder(FIXTURES / name)
    text = (FIXTURES / f"{name}.state.txt").read_text(encoding="utf-8")
    workflow = load_state(text, SPEC_CACHE.get(version.pk))
    now = clock.now()
    saved = ProcessInstance.objects.create(
        version=version, process_key=version.key, company=cast["agent"].company, business_key="FIXTURE-0001",
        customer_name="张三", room="3栋2单元1502", state=encode_state(text), revision=2, started_by=cast["agent"],
        started_at=now, updated_at=now,
    )  # fmt: skip
    for task in ready_user_tasks(workflow):
        spec = task.task_spec
        Task.objects.create(
            instance=saved, company=saved.company, process_key=saved.process_key, spiff_id=task.id,
            element_id=spec.bpmn_id, name=spec.bpmn_name, lane=spec.lane,
            form_schema=spec.extensions["properties"]["formJsonSchemaFilename"], created_at=now,
        )  # fmt: skip
    return saved


def test_a_complaint_saved_by_release_one_runs_to_the_end(api, cast, restore_mode):
    saved = adopt("complaint-v1", cast)
    engineer, agent = api("engineer"), api("agent")
    handling = only_task(engineer, saved.pk)
    assert handling["name"] == "工程部处理"
    complete(
        engineer,
        handling["id"],
        {"handling_result": "已修复", "measures_taken": "外墙打胶", "compensation_needed": False},
    )
    complete(agent, only_task(agent, saved.pk)["id"], {"supervision_result": "accept"})
    complete(agent, only_task(agent, saved.pk)["id"], {"customer_reached": True, "satisfaction": "satisfied"})
    detail = instance(agent, saved.pk)
    assert detail["status"] == "completed"
    assert detail["data"]["dispatch_note"] == "请处理"  # data written before the save survived
