"""A move-in batch of the demo company's past: three rooms of 安居·山语城 1栋 sold months ago, handed
over five weeks ago. 周敏 creates the batch, 李娜 prepares it, 王强 inspects (a door for 鹏程装饰,
sent back once; a window 华南门窗 takes by trade), 钱进 receives the owners, who find a crack that
one of them accepts to take the home with; 李娜 sums the batch up and later calls the owners back
(one on time, one late, one not yet).
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timedelta
from typing import Any

from engine import clock

from .sales import Buyer, Sale
from .sim import Simulation

BATCH_NAME = "山语城1栋 首批交付"
ROOMS = ("SY-1-1-501", "SY-1-1-502", "SY-1-1-601")
OWNERS = (
    Buyer("谭志明", "19800425", True, "13809871123", "深圳市南山区西丽街道留仙大道2号"),
    Buyer("陆晓雯", "19920830", False, "13922016678", "深圳市福田区梅林街道梅华路105号"),
    Buyer("葛鹏", "19851119", True, "13686652031", "深圳市罗湖区黄贝街道文锦中路3号"),
)
# Sold off-plan months ago, paid in one sum.
SALES = [
    Sale(days, "sales", owner, room, method="lump_sum", agreement_no=f"RG-SY-25{n:02d}",
         callback=("satisfied", "签约顺利，期待交房。"))
    for n, (days, owner, room) in enumerate(zip((160, 152, 145), OWNERS, ROOMS, strict=True), start=1)
]  # fmt: skip
RECEPTION = {
    "visitor": "owner", "id_checked": True, "sign_movein_notice": True, "sign_property_agreement": True,
    "sign_owner_convention": True, "sign_decoration_rules": True,
}  # fmt: skip
CALLBACKS = (
    ("satisfied", "房屋质量不错，门的问题已修好，满意。"),
    ("basically_satisfied", "基本满意，墙面裂缝修补的颜色和周围有色差。"),
    None,  # not called back yet: overdue
)


def movein_case(sim: Simulation) -> Generator[datetime, None, None]:
    from webapp.accounts.models import Project
    from webapp.movein import batches, defects
    from webapp.movein.demo import demo_photo
    from webapp.movein.models import BatchRoom, Contractor, Defect, InspectionItem
    from webapp.realestate.models import Building

    company = sim.users["cs_head"].company
    project = Project.objects.get(company=company, code="shanyu")
    building = Building.objects.get(phase__project=project, code="1")
    start = sim.at(sim.day(47), "10:00", jitter=60)
    yield start
    day = sim.day(46)
    batch = batches.do_create_batch(sim.users["cs_head"], {
        "name": BATCH_NAME, "project": project.pk, "buildings": [building.pk],
        "mock_from": sim.day(44).isoformat(), "mock_to": sim.day(41).isoformat(),
        "handover_from": sim.day(38).isoformat(), "handover_to": sim.day(37).isoformat(), "fee_rate": "3.80",
        "fee_months": 3, "day_start": "09:00", "day_end": "17:00", "slot_minutes": 60, "slot_capacity": 2,
    })  # fmt: skip
    yield sim.at(day, "14:00", jitter=60)
    sim.complete("agent", batch.instance, "Task_Prepare",
                 {key: True for key in batches.DOCUMENTS} | {"notice_checked": True,
                  "prepare_note": "交付资料已核对，业主联系方式已逐户电话确认。"})  # fmt: skip
    rooms = list(
        BatchRoom.objects.filter(batch=batch).select_related("room", "instance").order_by("room__code")
    )
    a, b, c = rooms[:3]
    items = {
        f"{i.category.code}.{i.code}": i
        for i in InspectionItem.objects.filter(
            category__corporate_group=company.corporate_group
        ).select_related("category")
    }

    def record(who: str, room: Any, code: str, location: str, description: str) -> Defect:
        room.refresh_from_db()  # the stage it is in now
        return defects.do_record_defect(sim.users[who], room, {
            "item": items[code].pk, "location": location, "description": description,
        }, [demo_photo()])  # fmt: skip

    def defect_step(who: str, defect: Defect, element_id: str, data: dict[str, Any]) -> None:
        if element_id == "Task_Rectify":
            defect.refresh_from_db()  # the photo belongs to the current round of rework
            defects.do_add_rectified_photos(sim.users[who], defect, [demo_photo("rectified.jpg")])
        sim.complete(who, defect.instance, element_id, data)

    # 模拟验房 (王强): a door for 鹏程装饰, a window 华南门窗 takes by trade
    yield sim.at(sim.day(44), "09:30", jitter=30)
    door = record("engineer", a, "doors.leaf_operation", "入户门", "入户门开关卡顿，锁舌回弹不畅。")
    yield sim.later(clock.now(), 60)
    window = record("engineer", b, "windows.sealing", "主卧", "主卧推拉窗下沿密封不严，淋水试验渗水。")
    yield sim.later(clock.now(), 90)
    pengcheng = Contractor.objects.get(company=company, name="鹏程装饰")
    defect_step("engineer", door, "Task_Dispatch", {
        "dispatch_to": "contractor", "contractor_id": pengcheng.pk, "rectify_days": 2,
        "dispatch_note": "请两个工作日内调整门扇和锁体。",
    })  # fmt: skip
    yield sim.at(sim.day(43), "15:00", jitter=60)
    defect_step("contractor", door, "Task_Rectify", {"rectification_note": "已调整合页，门缝均匀。"})
    defect_step("contractor2", window, "Task_Rectify", {"rectification_note": "更换密封胶条并重新打胶。"})
    yield sim.at(sim.day(42), "10:00", jitter=60)
    defect_step(
        "engineer",
        door,
        "Task_Reinspect",
        {"reinspect_result": "fail", "reinspect_note": "锁舌仍卡顿，需更换锁体。"},
    )
    defect_step(
        "engineer",
        window,
        "Task_Reinspect",
        {"reinspect_result": "pass", "reinspect_note": "淋水复试无渗漏。"},
    )
    yield sim.at(sim.day(41), "11:00", jitter=60)
    defect_step("contractor", door, "Task_Rectify", {"rectification_note": "更换锁体，开关顺畅。"})
    yield sim.later(clock.now(), 120)
    defect_step("engineer", door, "Task_Reinspect", {"reinspect_result": "pass"})
    for room in rooms:
        sim.complete("engineer", room.instance, "Task_MockInspection",
                     {"inspected_all": True, "inspection_note": "按验房标准逐项检查完毕。"})  # fmt: skip

    # 正式入伙 (钱进): reception, the owners' inspection, keys
    yield sim.at(sim.day(38), "09:30", jitter=30)
    for room in rooms:
        sim.complete("steward", room.instance, "Task_Reception", RECEPTION)
        yield sim.later(clock.now(), sim.minutes(20, 50))
    crack = record("steward", c, "cracks.wall_crack", "次卧", "次卧东墙一条细裂缝，长约30厘米。")
    yield sim.later(clock.now(), 30)
    defect_step("engineer", crack, "Task_Dispatch", {
        "dispatch_to": "department", "department": "工程部", "rectify_days": 5, "dispatch_note": "业主同意先收房，五个工作日内修补。",
    })  # fmt: skip
    for room in rooms:
        sim.complete("steward", room.instance, "Task_OwnerInspection",
                     {"owner_inspected": True, "owner_opinion": "业主已逐间查看。"})  # fmt: skip
        yield sim.later(clock.now(), sim.minutes(15, 40))
    meters = {"keys_count": 4, "water_meter": 3.5, "electricity_meter": 12.8, "gas_meter": 0.6}
    for room in rooms:
        data = dict(meters)
        if room.pk == c.pk:
            data |= {"accept_open_defects": True, "owner_remarks": "同意带裂缝收房，约定五个工作日内修补。"}
        sim.complete("steward", room.instance, "Task_Handover", data)
        yield sim.later(clock.now(), sim.minutes(20, 40))

    # 入伙总结 (李娜), the crack mended, the callbacks a month on
    yield sim.at(sim.day(36), "16:00", jitter=30)
    sim.complete("agent", batch.instance, "Task_Summary",
                 {"summary_note": "三户全部交付；门窗问题集中，下批次提前做淋水试验和锁具检查。"})  # fmt: skip
    yield sim.at(sim.day(33), "10:00", jitter=60)
    defect_step("engineer", crack, "Task_Rectify", {"rectification_note": "裂缝处挂网批荡，重新刷漆。"})
    yield sim.at(sim.day(32), "15:00", jitter=60)
    defect_step(
        "engineer",
        crack,
        "Task_Reinspect",
        {"reinspect_result": "pass", "reinspect_note": "已修补，业主确认。"},
    )
    for room, outcome in zip(rooms, CALLBACKS, strict=True):
        if outcome is None:
            continue
        for _attempt in range(30):
            if sim.waiting(room.instance, "Task_Callback1M"):
                break
            yield sim.later(clock.now(), 450)
        task = sim.task(room.instance, "Task_Callback1M")
        late = outcome[0] != "satisfied"
        yield (task.due_at + timedelta(days=2)) if late and task.due_at else sim.later(task.created_at, 450)
        sim.complete("agent", room.instance, "Task_Callback1M", {
            "callback_reached": True, "callback_satisfaction": outcome[0], "callback_comments": outcome[1],
        })  # fmt: skip


OWNER_NAMES = frozenset(owner.name for owner in OWNERS)
