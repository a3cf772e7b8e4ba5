"""The completion hook of 业主身份认证 (BPMN property `completeHook`); see engine.hooks.
Thin registration: the rules live in `verification`. Registered when the app is ready."""

from __future__ import annotations

from engine import hooks

from . import verification

hooks.register(
    "owner.verify_decide",
    "核实业主身份: 通过即登记为房间住户并关联已验证的手机号",
    flows=[verification.FLOW],
    check=verification.check_decide,
)(verification.decide)
