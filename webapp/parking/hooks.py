"""The completion hooks of the space booking flow (BPMN property `completeHook`); see engine.hooks.
Thin registrations: the rules live in `flow`. Registered when the app is ready."""

from __future__ import annotations

from engine import hooks

from . import flow

for name, description, func, check in [
    ("parking.request", "预订登记: 核对住户、车位和期间", flow.request, flow.check_request),
    (
        "parking.decide",
        "审批: 通过即登记车位合同（未指定车位的分配第一个空闲车位）",
        flow.decide,
        flow.check_decide,
    ),
]:
    hooks.register(name, description, flows=[flow.FLOW], check=check)(func)
