"""The completion hooks of the repair flow (BPMN property `completeHook`); see engine.hooks.
Thin registrations: the rules live in `flow`. Registered when the app is ready."""

from __future__ import annotations

from engine import hooks

from . import flow

FLOW = "repair"

for name, description, func, check in [
    (
        "repairs.intake",
        "报修受理: 维修工单，按规则派工；紧急报修派给值班技工",
        flow.intake,
        flow.check_intake,
    ),
    ("repairs.dispatch", "派工: 派给维修班组，可指定技工", flow.dispatch, flow.check_dispatch),
    ("repairs.accept", "接单或退单", flow.accept, None),
    ("repairs.arrive", "到场: 记录到场时间", flow.arrive, None),
    ("repairs.done", "完工: 结果、照片、材料，有偿维修的费用经住户确认", flow.done, flow.check_done),
    ("repairs.callback", "维修回访: 满意度，不满意返修", flow.callback, flow.check_callback),
    ("repairs.close", "结案", flow.close, None),
]:
    hooks.register(name, description, flows=[FLOW], check=check)(func)
