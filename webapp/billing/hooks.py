"""The billing flows' hooks (BPMN property `completeHook`, see engine.hooks), the adapter of the
dunning flow (`dunning/dues`) and its hourly job. Thin registrations: the rules live in
dunning.py and waivers.py. Imported once from BillingConfig.ready."""

from __future__ import annotations

from engine import hooks
from engine.adapters import register
from engine.tasks import register_hourly

from . import dunning, waivers

for name, description, func, check, flow in [
    ("billing.dunning_start", "催缴开始：缴费人和项目，各阶段间隔的工作日", dunning.start, dunning.check_start,
     dunning.FLOW),
    ("billing.dunning_visit", "上门催缴：记录结果（承诺缴费日期、拒缴、已缴、不在家）", dunning.visit, dunning.check_visit,
     dunning.FLOW),
    ("billing.waiver_request", "申请减免：核对违约金可减免，写入审批所需信息", waivers.request, waivers.check_request,
     waivers.FLOW),
    ("billing.waiver_decide", "审批：批准则冲减违约金余额并停止计收，不批准不变；通知申请人", waivers.decide,
     waivers.check_decide, waivers.FLOW),
]:  # fmt: skip
    hooks.register(name, description, flows=[flow], check=check)(func)

register(dunning.DunningAdapter())
register_hourly("billing.dunning", dunning.start_dunning)
