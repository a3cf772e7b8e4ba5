"""Move-in forms answer every mistake at once and ask only meaningful questions (issue 13, items 5
and 6): 入伙接待 names every unticked document together with the form's own errors, 模拟验房 and
业主验房 are one box to tick (no 否 that is always refused), 问题分派 goes to exactly one rectifier,
and the room page counts the defects it lists."""

from __future__ import annotations

from tests.helpers import complete
from tests.movein.conftest import RECEPTION, record_defect
from tests.movein.test_movein_api import prepared, task_of  # noqa: F401  (fixture)
from tests.movein.test_movein_flow import defect_task
from webapp.movein.models import BatchRoom, Defect


def test_a_reception_with_every_mistake_gets_one_answer_naming_them_all(api, prepared):  # noqa: F811
    room = prepared["rooms"][0]
    complete(
        api("engineer"), task_of(api, "engineer", room, "Task_MockInspection")["id"], {"inspected_all": True}
    )
    task = task_of(api, "steward", room, "Task_Reception")
    data = {**RECEPTION, "visitor": "agent", "id_checked": False, "sign_movein_notice": False}
    errors = complete(api("steward"), task["id"], data, status=400)["field_errors"]
    # the form's (an agent needs a name) and the hook's (unticked documents) in one answer
    assert set(errors) == {"agent_name", "id_checked", "sign_movein_notice"}, errors
    assert errors["sign_movein_notice"] == ["业主收房前须签署此资料。"]
    assert errors["agent_name"] == ["此项为必填项。"]
    complete(api("steward"), task["id"], {**RECEPTION, "visitor": "agent", "agent_name": "王小明"})
    assert BatchRoom.objects.get(pk=room).stage == "handover"


def test_the_mock_inspection_is_one_box_to_tick(api, web, prepared):  # noqa: F811
    room = prepared["rooms"][0]
    task = task_of(api, "engineer", room, "Task_MockInspection")
    html = web("engineer").get(f"/tasks/{task['id']}/").content.decode()
    box = html[html.index('name="inspected_all"') - 200 : html.index('name="inspected_all"') + 50]
    assert 'type="checkbox"' in box and html.count('name="inspected_all"') == 1  # no 是/否 radios
    errors = complete(api("engineer"), task["id"], {"inspected_all": False}, status=400)["field_errors"]
    assert errors == {"inspected_all": ["请逐项检查完毕后再提交。"]}
    complete(api("engineer"), task["id"], {"inspected_all": True})
    assert BatchRoom.objects.get(pk=room).stage == "awaiting_owner"


def test_a_defect_goes_to_a_contractor_or_a_department_never_both(api, prepared):  # noqa: F811
    room = prepared["rooms"][0]
    door = record_defect(api, "engineer", room, prepared["items"]["doors.leaf_operation"]).json()
    task = defect_task(api, "engineer", door["id"], "Task_Dispatch")
    both = {"contractor_id": prepared["pengcheng"].pk, "department": "工程部", "rectify_days": 2}
    errors = complete(api("engineer"), task["id"], {**both, "dispatch_to": "contractor"}, status=400)
    assert errors["field_errors"] == {"department": ["派给承建商整改时不选整改部门，请清空"]}
    errors = complete(api("engineer"), task["id"], {**both, "dispatch_to": "department"}, status=400)
    assert errors["field_errors"] == {"contractor_id": ["派给本公司部门整改时不选承建商，请清空"]}
    assert Defect.objects.get(pk=door["id"]).status == "recorded"
    complete(
        api("engineer"), task["id"], {"dispatch_to": "department", "department": "工程部", "rectify_days": 2}
    )
    defect = Defect.objects.get(pk=door["id"])
    assert (defect.status, defect.department, defect.contractor_id) == ("dispatched", "工程部", None)


def test_the_room_page_counts_the_defects_it_lists(api, web, prepared):  # noqa: F811
    room = prepared["rooms"][0]
    door = record_defect(api, "engineer", room, prepared["items"]["doors.leaf_operation"]).json()
    page = web("engineer").get(f"/movein/rooms/{room}/").content.decode()
    assert page.count('data-defect="') == 1
    assert 'id="defect-count">1<' in page and 'data-open="1"' in page and "未关闭 1" in page
    Defect.objects.filter(pk=door["id"]).update(status="closed")  # closed: still listed, still counted
    page = web("engineer").get(f"/movein/rooms/{room}/").content.decode()
    assert page.count('data-defect="') == 1
    assert 'id="defect-count">1<' in page and 'data-open="0"' in page and "未关闭 0" in page
