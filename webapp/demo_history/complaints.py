"""Six weeks of customer issues for the demo company, run through the complaint flow.

Each `Issue` is one caller's problem and what the people of the demo did about it: 李娜 records and
dispatches, the departments handle (王强 工程部, 吴倩 设计部, 郑凯 营销部, 钱进 物业部), 周敏 supervises,
陈总 takes the group complaint, 李娜 calls back. `pace` says how quickly each step was done, as a
fraction of the task's own SLA window (read from the task: whatever the policy says), so some are
done early, some late enough to be escalated; `stop_at` leaves the issue waiting at that step
until today.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from engine import clock
from engine.actions import do_cancel_instance, do_pause_task, do_start_instance
from engine.models import Task

from .sim import Simulation

HANDLERS = {"engineering": "engineer", "design": "designer", "marketing": "marketer", "property": "steward"}
HANDLE_TASK = {
    "engineering": "Task_HandleEngineering",
    "design": "Task_HandleDesign",
    "marketing": "Task_HandleMarketing",
    "property": "Task_HandleProperty",
}
BINHAI, SHANYU = "安居·滨海花园", "安居·山语城"


@dataclass(frozen=True)
class Callback:
    reached: bool = True
    satisfaction: str = "satisfied"
    comments: str = "处理及时，满意。"

    def data(self) -> dict[str, Any]:
        if not self.reached:
            return {"customer_reached": False, "customer_comments": self.comments}
        return {
            "customer_reached": True,
            "satisfaction": self.satisfaction,
            "customer_comments": self.comments,
        }


@dataclass(frozen=True)
class Issue:
    days: int  # recorded this many days before today (on the next working day)
    hhmm: str
    caller: tuple[str, str, str, str]  # name, mobile, project, room
    issue_class: str
    description: str
    department: str = "engineering"
    priority: str = "normal"
    dispatch_note: str = "请尽快联系业主上门查看。"
    handling: tuple[str, str] = ("已上门查看并处理完毕。", "现场维修")
    channel: str = "hotline"
    issue_type: str = "complaint"
    recorded_by: str = "agent"
    group_households: int = 0
    on_spot_answer: str = ""
    send_back: str = ""  # the supervisor's reason for sending the first handling back
    compensation: int = 0  # yuan, agreed in the handling and recorded after supervision
    callbacks: tuple[Callback, ...] = (Callback(),)  # one per round; an unsatisfied one reopens
    pace: dict[str, float] = field(default_factory=dict)  # element → fraction of its SLA window
    stop_at: str = ""  # nobody does this step (the issue waits there today)
    duplicate_of: str = ""  # cancelled by 周敏 as a duplicate, with this reason
    paused: str = ""  # the handler waits for the customer (the SLA clock stopped) for this reason

    def intake(self) -> dict[str, Any]:
        name, mobile, project, room = self.caller
        data: dict[str, Any] = {
            "customer_name": name, "customer_mobile": mobile, "project": project, "room": room,
            "channel": self.channel, "issue_type": self.issue_type, "issue_class": self.issue_class,
            "description": self.description, "group_complaint": self.group_households > 0,
            "answered_on_spot": bool(self.on_spot_answer),
        }  # fmt: skip
        if self.group_households:
            data["group_households"] = self.group_households
        if self.on_spot_answer:
            data["on_spot_answer"] = self.on_spot_answer
        return data


def fraction_of_window(sim: Simulation, task: Task, fraction: float, *, response: bool = False) -> datetime:
    """The moment `fraction` of the task's SLA window (resolution, or first response) has passed,
    in working time; a task without a deadline gets a working day as its window."""
    deadline = task.response_due_at if response else task.due_at
    window = sim.calendar.between(task.created_at, deadline) if deadline else 450.0
    return sim.later(task.created_at, max(window * fraction, 2))


def do_step(
    sim: Simulation, who: str, instance: Any, element_id: str, data: dict[str, Any], pace: float
) -> Generator[datetime, None, None]:
    """Claim the task when about a third of the pace has gone, complete it at `pace` of its window."""
    task = sim.task(instance, element_id)
    claim = sim.rng.uniform(0.1, 0.85) if pace <= 1 else pace * 0.8  # late work was also claimed late
    claim_at = fraction_of_window(sim, task, claim, response=True)
    done_at = fraction_of_window(sim, task, pace)
    yield min(claim_at, done_at)
    sim.claim(who, instance, element_id)
    yield max(done_at, clock.now() + timedelta(minutes=5))
    sim.complete(who, instance, element_id, data)


def issue_case(sim: Simulation, issue: Issue) -> Generator[datetime, None, None]:
    # On time unless said otherwise: some early, some close enough to the deadline for a warning.
    steps = (
        "Task_GroupComplaint",
        "Task_Triage",
        "handle",
        "Task_Supervise",
        "Task_Compensation",
        "Task_Callback",
    )
    pace = {step: round(sim.rng.uniform(0.3, 0.9), 2) for step in steps} | issue.pace

    def step(
        who: str, element_id: str, data: dict[str, Any], key: str = ""
    ) -> Generator[datetime, None, None]:
        if issue.stop_at and issue.stop_at in (element_id, key):
            return
        yield from do_step(sim, who, instance, element_id, data, pace[key or element_id])

    yield sim.at(sim.day(issue.days), issue.hhmm, jitter=25)
    instance = do_start_instance(sim.users[issue.recorded_by], "complaint", issue.intake())
    if issue.on_spot_answer:
        return
    if issue.duplicate_of:
        yield sim.later(clock.now(), sim.minutes(20, 90))
        do_cancel_instance(sim.users["cs_head"], instance, issue.duplicate_of)
        return
    if issue.group_households:
        yield from step("head", "Task_GroupComplaint", {
            "leader_instructions": "由我牵头，明天上午约业主代表座谈，工程部、设计部负责人参加，三日内给出书面答复。",
            "leader_personally": True,
        })  # fmt: skip
    triage = {
        "department": issue.department,
        "priority": issue.priority,
        "dispatch_note": issue.dispatch_note,
    }
    yield from step("agent", "Task_Triage", triage)
    if issue.stop_at == "Task_Triage":
        return
    handler, handle_task = HANDLERS[issue.department], HANDLE_TASK[issue.department]
    result, measures = issue.handling
    handled = {
        "handling_result": result,
        "measures_taken": measures,
        "compensation_needed": bool(issue.compensation),
    }
    if issue.compensation:
        handled["proposed_compensation_amount"] = issue.compensation
    send_back = issue.send_back
    if issue.paused:
        task = sim.task(instance, handle_task)
        yield fraction_of_window(sim, task, 0.3, response=True)
        sim.claim(handler, instance, handle_task)
        yield sim.later(clock.now(), sim.minutes(10, 40))
        do_pause_task(sim.users[handler], sim.task(instance, handle_task), issue.paused)
        return
    for number, callback in enumerate(issue.callbacks):
        if number:  # reopened: the department handles again
            handled = {**handled, "handling_result": "回访后再次上门处理：" + result}
        yield from step(handler, handle_task, handled, "handle")
        if issue.stop_at == "handle":
            return
        if send_back:
            yield from step(
                "cs_head",
                "Task_Supervise",
                {"supervision_result": "send_back", "send_back_reason": send_back},
            )
            send_back = ""
            handled = {**handled, "handling_result": "按督办意见补充处理：" + result}
            yield from step(handler, handle_task, handled, "handle")
        yield from step("cs_head", "Task_Supervise", {"supervision_result": "accept"})
        if issue.stop_at == "Task_Supervise":
            return
        if issue.compensation and number == 0:
            name = issue.caller[0]
            yield from step("agent", "Task_Compensation", {
                "compensation_amount": issue.compensation, "compensation_payee": name, "compensation_method": "fee_offset",
                "compensation_reason": "经双方协商，按合同约定给予补偿，抵扣物业管理费。",
            })  # fmt: skip
        yield from step("agent", "Task_Callback", callback.data())
        if issue.stop_at == "Task_Callback":
            return
        if not (callback.reached and callback.satisfaction == "unsatisfied"):
            return


SATISFIED = Callback(True, "satisfied", "处理及时，师傅态度很好，满意。")
SOLVED = Callback(True, "satisfied", "问题已解决，感谢客服中心一直跟进。")
BASICALLY = Callback(
    True, "basically_satisfied", "问题基本解决，但等待时间有点长，希望以后提前约好上门时间。"
)
BASICALLY_2 = Callback(True, "basically_satisfied", "处理结果可以接受，沟通还可以更主动一些。")
UNSATISFIED_LEAK = Callback(True, "unsatisfied", "维修后下雨仍有渗水，不满意，要求彻底处理。")
UNSATISFIED_REPLY = Callback(True, "unsatisfied", "答复比较敷衍，没有实质解决问题。")
UNREACHED = Callback(False, comments="连续三次致电未接通，已短信告知处理结果。")

LATE = 1.35  # past the deadline: breach (部门经理)
VERY_LATE = 1.7  # escalated to the customer-service center head (周敏)

ISSUES: list[Issue] = [
    Issue(41, "09:20", ("李四", "13900139001", BINHAI, "3栋1单元0802"), "construction_quality",
          "卫生间地漏反水，楼下住户天花板出现水渍。", priority="high", dispatch_note="涉及楼下住户，请今天上门。",
          handling=("更换地漏并重做卫生间防水，闭水试验48小时无渗漏。", "更换地漏、重做防水层"),
          callbacks=(SATISFIED,)),
    Issue(40, "10:05", ("孙立新", "13922851234", SHANYU, "2栋1单元0501"), "property",
          "电梯近一周两次困人，物业处理不及时。", department="property", priority="high",
          handling=("已联系电梯维保单位全面检修，更换门机控制板。", "电梯检修、更换门机板"),
          callbacks=(BASICALLY,), pace={"handle": LATE}),
    Issue(39, "14:30", ("何美玲", "13760452218", BINHAI, "5栋2单元1203"), "construction_quality",
          "入户木门变形，关门时需用力推，门框处开裂。", dispatch_note="木门问题，请约业主时间上门。",
          handling=("更换门扇并调整门框，开关顺畅。", "更换门扇、修补门框"), callbacks=(SOLVED,)),
    Issue(38, "11:15", ("赵敏", "13700137003", SHANYU, "1栋1单元0302"), "sales",
          "认购时承诺的车位使用权优惠未写入合同，要求兑现。", department="marketing",
          handling=("核对认购资料，已补签车位优惠确认书。", "补签补充协议"), send_back="请附上补充协议扫描件，并说明后续车位交付时间。",
          callbacks=(BASICALLY_2,)),
    Issue(37, "09:40", ("马文涛", "13510238876", BINHAI, "3栋2单元1102"), "construction_quality",
          "客厅地砖多处空鼓，踩上去有响声。", handling=("空鼓地砖6块全部返工重铺。", "返工重铺地砖"),
          compensation=1200, callbacks=(SATISFIED,)),
    Issue(36, "15:10", ("王建业等15户业主", "13826607789", BINHAI, "5栋"), "planning_design",
          "5栋多户业主反映楼间绿地被改为临时停车场，要求恢复规划。", department="design", priority="high",
          group_households=15, dispatch_note="群诉，陈总已出面，请设计部两日内出具书面说明。",
          handling=("出具规划说明，临时停车场一个月内撤除并恢复绿地。", "书面答复、恢复绿地计划"),
          callbacks=(BASICALLY,)),
    Issue(35, "10:30", ("陈志强", "15800158004", SHANYU, "2栋1单元1001"), "construction_quality",
          "主卧铝合金窗密封条脱落，下雨时窗台积水。", handling=("更换密封条并打胶，淋水试验无渗漏。", "更换密封条、打胶"),
          callbacks=(UNSATISFIED_LEAK, SOLVED), pace={"handle": 0.8}),
    Issue(34, "16:20", ("郭晓燕", "18620875531", BINHAI, "3栋1单元1603"), "property",
          "快递柜占用消防通道，多次反映未处理。", department="property",
          handling=("快递柜已移至架空层，消防通道清理完毕。", "移位快递柜"), callbacks=(SATISFIED,)),
    Issue(33, "09:10", ("刘洋洋", "18600186005", BINHAI, "5栋1单元0901"), "sales",
          "咨询车位租售价格和办理时间。", issue_type="consultation", channel="visit", recorded_by="sales",
          on_spot_answer="已介绍车位租售方案，并登记意向。"),
    Issue(31, "14:00", ("林志伟", "13682231190", SHANYU, "1栋1单元0601"), "construction_quality",
          "次卧墙面出现多条细裂缝，担心结构安全。", dispatch_note="请工程师判断是否结构裂缝并向业主解释。",
          handling=("经检测为抹灰层收缩裂缝，非结构问题；已挂网重新批荡并刷漆。", "检测、修补墙面"),
          callbacks=(BASICALLY_2,), pace={"Task_Triage": LATE, "handle": LATE}),
    Issue(30, "10:45", ("许丹", "13925576604", BINHAI, "3栋2单元0701"), "customer_service",
          "客服热线多次无人接听，报修两周无人回复。", department="property", priority="high",
          handling=("向业主致歉，当天安排维修，并调整热线排班。", "致歉、安排维修、调整排班"),
          callbacks=(UNSATISFIED_REPLY, BASICALLY), pace={"handle": LATE}),
    Issue(28, "11:30", ("曾国华", "18900189006", SHANYU, "2栋1单元1202"), "construction_quality",
          "厨房热水管接头渗漏，橱柜底板泡水。", priority="high",
          handling=("更换热水管接头，橱柜底板更换。", "更换管件、橱柜底板"), compensation=800,
          callbacks=(SATISFIED,), pace={"handle": VERY_LATE}),
    Issue(27, "15:40", ("杨帆", "13798812207", BINHAI, "5栋2单元1502"), "property",
          "建议小区增设电动车集中充电桩，避免飞线充电。", issue_type="suggestion", channel="web", department="property",
          priority="low", handling=("已列入物业本年度改造计划，下月在两处车棚安装充电桩。", "纳入改造计划"),
          callbacks=(SOLVED,)),
    Issue(24, "09:50", ("黄晓明", "13500135007", BINHAI, "3栋1单元1201"), "construction_quality",
          "阳台顶棚雨后渗水，墙角发霉。", handling=("外墙打胶、阳台顶棚重做防水。", "外墙打胶、防水"),
          send_back="请提供淋水试验记录再结案。", callbacks=(UNREACHED,), pace={"handle": LATE}),
    Issue(22, "14:15", ("谢振东", "13823340981", SHANYU, "1栋1单元0402"), "sales",
          "宣传册标明的学位与实际划片不符，要求说明。", department="marketing", priority="high", channel="forum",
          handling=("已向业主说明划片以教育局公布为准，提供教育局文件。", "书面说明"),
          callbacks=(UNSATISFIED_REPLY, BASICALLY_2), pace={"Task_Callback": LATE}),
    Issue(20, "10:20", ("周雪", "13300133008", BINHAI, "5栋1单元1701"), "property",
          "夜间装修噪音扰民，物业未制止。", department="property",
          handling=("已约谈装修户并张贴装修时间公告，夜间巡查加密。", "约谈、公告、巡查"), callbacks=(SATISFIED,),
          pace={"Task_Callback": LATE}),
    Issue(19, "09:15", ("周雪", "13300133008", BINHAI, "5栋1单元1701"), "property",
          "再次来电：楼上夜间装修噪音仍未停止。", department="property",
          duplicate_of="重复登记：与业主前一天的装修噪音投诉为同一问题，已并入原投诉跟进。"),
    Issue(17, "16:00", ("韩雪梅", "13631158824", BINHAI, "3栋2单元0301"), "construction_quality",
          "外墙瓷砖有松动，担心高空坠落伤人。", priority="high", dispatch_note="涉及安全，请立即围挡并排查整面外墙。",
          handling=("已围挡，吊篮排查整面外墙，松动瓷砖全部更换。", "围挡、排查、更换瓷砖"), callbacks=(SOLVED,)),
    Issue(14, "09:30", ("吴建国", "15900159009", SHANYU, "2栋1单元0202"), "planning_design",
          "小区会所原规划的游泳池至今未建，要求说明。", department="design",
          handling=("出具会所建设计划，游泳池明年五月前建成开放。", "书面答复"), stop_at="Task_Supervise",
          pace={"handle": LATE}),
    Issue(12, "11:10", ("邓建华", "13714426690", BINHAI, "5栋2单元0802"), "construction_quality",
          "主卧木地板起拱变形，缝隙变大。", dispatch_note="木地板问题，请与装饰单位一起上门。",
          stop_at="handle", pace={"Task_Triage": 0.6}),
    Issue(9, "15:20", ("冯晓云", "18922307715", SHANYU, "1栋1单元0502"), "property",
          "小区绿化带长期无人修剪，蚊虫多。", department="property", priority="low",
          handling=("绿化带已修剪并消杀，纳入每周保洁计划。", "修剪、消杀"), stop_at="Task_Callback",
          pace={"handle": 0.3}),
    Issue(7, "10:00", ("彭磊", "13828869903", BINHAI, "3栋1单元0401"), "construction_quality",
          "卫生间墙砖开裂脱落，淋浴时漏水。", priority="high", dispatch_note="请今天上门，必要时先做临时处理。",
          stop_at="handle"),
    Issue(5, "11:20", ("白雪", "13612297781", SHANYU, "2栋1单元0601"), "construction_quality",
          "阳台推拉门滑轮损坏，推拉困难。", paused="业主出差，约定下周回来后再上门维修。"),
    Issue(4, "14:40", ("方婷", "13543328817", SHANYU, "2栋1单元0802"), "sales",
          "签约时间一再推迟，要求说明原因。", department="marketing",
          stop_at="handle", pace={"Task_Triage": 0.3}),
    Issue(2, "16:30", ("唐国强", "13802216654", BINHAI, "5栋1单元0302"), "construction_quality",
          "入户门锁芯损坏，无法反锁。", stop_at="Task_Triage"),
]  # fmt: skip

CALLERS = frozenset(issue.caller[0] for issue in ISSUES)
