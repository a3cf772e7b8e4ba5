"""The inspection standards library shipped with Anju (验房标准库, group level): the construction-
quality hot spots of the seed documents (wooden doors, decoration, leaks, windows, cracks,
plumbing and heating) plus electrical work, each item with its acceptance criteria as the
inspectors check them. Group admins extend and edit it in the admin; `ensure_standards` only adds
what is missing."""

from __future__ import annotations

from typing import Any

from .models import InspectionCategory, InspectionItem, Trade

LIBRARY: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("doors", "木门", Trade.DOORS, [
        ("leaf_operation", "门扇开启", "开关灵活、无异响,关闭严密,门扇与门框缝隙均匀(≤2 mm),无回弹、无自开自关。"),
        ("surface", "门面与油漆", "表面平整光滑,无划痕、磕碰、起皮、色差;封边完整。"),
        ("hardware", "五金与锁具", "门锁、合页、门吸安装牢固,锁舌伸缩自如,钥匙齐全可用。"),
    ]),
    ("decoration", "装饰装修", Trade.DECORATION, [
        ("wall_paint", "墙面涂料", "涂饰均匀,无漏涂、透底、流坠、起皮、开裂;阴阳角顺直。"),
        ("plaster", "抹灰层", "无空鼓(敲击无空响)、无爆灰、无裂缝,表面平整(2 m 靠尺偏差 ≤4 mm)。"),
        ("tiles", "墙地砖", "铺贴牢固,无空鼓、裂纹、缺棱掉角;缝格均匀顺直,相邻砖高差 ≤0.5 mm。"),
        ("floor", "地面与地板", "平整,无起砂、空鼓、裂缝;木地板无松动、异响,踢脚线安装牢固。"),
        ("ceiling", "吊顶", "平整,无下垂、变形、开裂;检修口位置正确、开启方便。"),
    ]),
    ("leaks", "渗漏", Trade.WATERPROOFING, [
        ("roof", "屋面渗漏", "顶层及屋面无渗水、水渍,雨后或淋水后顶棚无湿痕。"),
        ("exterior_wall", "外墙渗漏", "外墙内侧无水渍、霉斑、涂层起鼓;窗边墙角干燥。"),
        ("wet_rooms", "厨卫渗漏", "厨房、卫生间闭水 24 h 无渗漏;楼下顶棚无水渍;地漏周边无渗水。"),
    ]),
    ("windows", "铝合金/塑钢窗", Trade.WINDOWS, [
        ("sash", "窗扇开启", "开关灵活,锁闭严密,限位器有效;推拉窗无卡阻、防脱落装置齐全。"),
        ("sealing", "密封与打胶", "密封条完整连续,窗框与墙体间打胶饱满、无开裂;淋水无渗漏。"),
        ("glass", "玻璃", "无划痕、裂纹、气泡;中空玻璃内无水汽、无污物。"),
    ]),
    ("cracks", "裂缝", Trade.STRUCTURE, [
        ("wall_crack", "墙体裂缝", "墙面无贯穿、斜向裂缝;非结构性细微裂缝宽度 ≤0.3 mm 并记录位置。"),
        ("slab_crack", "楼板裂缝", "楼板及顶棚无裂缝、无渗水痕迹。"),
    ]),
    ("plumbing", "给排水与暖通", Trade.PLUMBING, [
        ("water_supply", "给水", "冷热水管无渗漏,水压正常,阀门开关灵活,水表读数正常走动。"),
        ("drainage", "排水", "排水通畅(放水无积水、无返味),地漏、存水弯齐全,管道接口无渗漏。"),
        ("heating", "采暖", "暖气片或地暖无渗漏,阀门齐全可调,试压合格记录齐全。"),
        ("sanitary", "洁具", "洁具安装牢固、无破损,龙头、角阀出水正常,马桶冲水正常、不漏水。"),
    ]),
    ("electrical", "电气", Trade.ELECTRICAL, [
        ("sockets", "开关插座", "安装牢固、面板平整;插座接线左零右火上接地(验电笔检查),开关控制正确。"),
        ("distribution", "配电箱", "漏电保护器动作可靠(按试验按钮),回路标识清楚,箱体完好。"),
        ("lighting", "灯具与弱电", "灯具安装牢固、点亮正常;网络、电视、门禁对讲信号正常。"),
    ]),
]  # fmt: skip


def ensure_standards(corporate_group: Any) -> int:
    """Add the shipped categories and items the group does not have yet; returns how many items
    were added (existing ones, perhaps edited by the group, are left as they are)."""
    added = 0
    for order, (code, name, trade, items) in enumerate(LIBRARY, start=1):
        category, _created = InspectionCategory.objects.get_or_create(
            corporate_group=corporate_group,
            code=code,
            defaults={"name": name, "trade": trade, "order": order * 10},
        )
        for item_order, (item_code, item_name, criteria) in enumerate(items, start=1):
            _item, created = InspectionItem.objects.get_or_create(
                category=category, code=item_code,
                defaults={"name": item_name, "criteria": criteria, "order": item_order * 10},
            )  # fmt: skip
            added += created
    return added
