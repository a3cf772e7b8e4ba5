"""The completion hooks of the move-in flows (BPMN property `completeHook`); see engine.hooks.

Thin wrappers: the rules live in `batches` (batch flow), `rooms` (room flow) and `defects`
(defect flow). Registered when the app is ready (MoveinConfig.ready imports this module).
"""

from __future__ import annotations

import datetime as dt
import functools
import sys

from engine import hooks
from engine.hooks import HookContext, HookResult
from webapp.meters import readings as meter_readings
from webapp.residents import residency

from . import batches, defects, rooms
from .models import AcceptanceRecord, BatchRoom


@functools.wraps(rooms.handover)
def handover(context: HookContext) -> HookResult:
    """rooms.handover, then the room's contracted buyer (else the batch's owner) becomes its
    owner in the residents register (source 交付), and the acceptance record's meter readings
    become the room's meters' start readings (webapp/meters), in the same step; idempotent."""
    result = rooms.handover(context)
    batch_room = BatchRoom.objects.select_related("room").get(pk=context.data["batch_room_id"])
    buyer = batches.owners_of([batch_room.room]).get(batch_room.room_id)
    owners = [buyer.pk] if buyer is not None else ([batch_room.owner_id] if batch_room.owner_id else [])
    delivered_on = dt.date.fromisoformat(result.data["delivered_on"])
    residency.do_owners_at_handover(batch_room.room_id, owners, delivered_on, context.actor)
    meter_readings.do_initial_readings(AcceptanceRecord.objects.get(batch_room_id=batch_room.pk))
    return result


# The flow (process id) each module's hooks serve: the designer offers them only there.
FLOW_OF = {batches.__name__: "movein_batch", rooms.__name__: "movein_room", defects.__name__: "movein_defect"}

for name, description, func in [
    ("movein.batch_start", "入伙批次: 流程与批次关联", batches.batch_start),
    ("movein.prepare", "验房准备: 资料齐全、联系方式已核对,批次进入验房交付", batches.prepare),
    ("movein.close_batch", "入伙总结: 保存统计与总结,批次关闭", batches.close_batch),
    ("movein.room_start", "房间入伙: 流程与批次房间关联,带出房间和业主", rooms.room_start),
    ("movein.mock_done", "模拟验房完成: 房间待业主收房", rooms.mock_done),
    ("movein.reception", "入伙接待: 核验身份、签署入伙资料", rooms.reception),
    ("movein.owner_inspection", "业主验房完成", rooms.owner_inspection),
    ("movein.handover", "交钥匙与验收: 房产验收记录(不可修改),房间 签约→交付,首期物业费,业主登记", handover),
    ("movein.defect_start", "验房问题: 流程与问题关联,按专业自动派单", defects.defect_start),
    ("movein.dispatch", "问题分派: 派给承建商或部门,整改时限", defects.dispatch),
    ("movein.rectified", "整改完成: 整改说明", defects.rectified),
    ("movein.reinspect", "复验: 合格关闭,不合格退回整改", defects.reinspect),
]:
    # A hook's check (same name with check_) reports every problem of the submission together
    # with the form's own errors, in one answer.
    check = getattr(sys.modules[func.__module__], f"check_{func.__name__}", None)
    hooks.register(name, description, flows=[FLOW_OF[func.__module__]], check=check)(func)
