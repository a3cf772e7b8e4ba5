"""Staff steps of a repair, driven through the engine's own actions (the path the API and the task
pages take), for tests of the owner's channel: the browser journey moves a resident's repair to
维修中 and to 已完工 with these, then the resident evaluates it in the page.

    from tests.owner.owner_repair_steps import repair_world, to_in_progress, to_done
    world = repair_world(cast, flow, room)       # the repair flow, a team, a rule for the room's estate
    ... the resident reports the repair in the browser ...
    to_in_progress(repair, cast["technician"])  # 派工 if needed, then 接单: 维修中
    to_done(repair, cast["technician"])         # 到场, a 完工照片, 完工: 已完工 (the 维修回访 task opens)
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile


def jpeg(colour: tuple[int, int, int] = (200, 90, 40)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def photo(name: str = "leak.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg(), content_type="image/jpeg")


def repair_world(cast: dict, flow: Callable[[str], Any], room: Any) -> dict[str, Any]:
    """The repair flow deployed, team 维修一班 (work group 维修班, technician 张伟 on duty) and a
    catch-all dispatch rule for the room's estate: a report of the room goes to the team at once."""
    from engine import clock
    from engine.sla_defaults import ensure_sla_setup
    from webapp.accounts.models import WorkGroup
    from webapp.repairs.master import TEAM_GROUP
    from webapp.repairs.models import DispatchRule, DutyShift, RepairTeam

    flow("repair")
    company = cast["technician"].company
    ensure_sla_setup(company)
    team, _created = RepairTeam.objects.get_or_create(
        company=company, name="维修一班",
        defaults={"work_group": WorkGroup.objects.get(company=company, name=TEAM_GROUP)},
    )  # fmt: skip
    DispatchRule.objects.get_or_create(project_id=room.project_id, category="", defaults={"team": team})
    now = clock.now()
    DutyShift.objects.get_or_create(
        team=team, technician=cast["technician"],
        defaults={"starts_at": now - timedelta(days=30), "ends_at": now + timedelta(days=60)},
    )  # fmt: skip
    return {"team": team}


def _task(repair: Any, element_id: str) -> Any:
    from engine.models import Task
    from engine.models.runtime import TaskState

    return Task.objects.select_related("instance").get(
        instance_id=repair.instance_id, element_id=element_id, state=TaskState.READY
    )


def _complete(user: Any, repair: Any, element_id: str, data: dict[str, Any]) -> None:
    from engine.actions import do_complete_task

    do_complete_task(user, _task(repair, element_id), data)
    repair.refresh_from_db()


def to_in_progress(repair: Any, technician: Any, dispatcher: Any = None) -> None:
    """派工 (when no rule routed it: `dispatcher` gives it to the technician's team), then the
    technician's 接单: the repair is 维修中 with the technician's name."""
    from webapp.repairs.models import RepairTeam, Status

    repair.refresh_from_db()
    if repair.status == Status.REPORTED:
        team = RepairTeam.objects.filter(company_id=repair.company_id, active=True).first()
        _complete(dispatcher, repair, "Task_Dispatch", {"team_id": team.pk, "technician_id": technician.pk})
    _complete(technician, repair, "Task_Accept", {"accept_decision": "accept"})


def to_done(repair: Any, technician: Any, result: str = "更换角阀，试水无渗漏") -> None:
    """到场, a photo of the finished repair, 完工 (free of charge): the repair is 已完工 and its
    维修回访 task — the step the resident's evaluation completes — is open."""
    from webapp.repairs.photos import do_add_photos

    _complete(technician, repair, "Task_Arrive", {"arrival_note": ""})
    do_add_photos(technician, repair, "after", [photo("after.jpg")])
    _complete(technician, repair, "Task_Done", {"result": result})
