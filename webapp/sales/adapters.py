"""sales/generate_schedule: the payment schedule (付款详情) of a subscription, as a service task.

Same shape as the engine's adapters (engine/adapters/base.py). The call is idempotent by its
idempotency key (instance + task): a ScheduleRun row per key, so a retried call returns the first
result and writes nothing twice.
"""

from __future__ import annotations

from typing import Any

from engine.adapters import Adapter, CallContext, Operation, Param, PermanentError

from . import subscriptions


class SalesAdapter(Adapter):
    prefix = "sales"
    operations = (
        Operation(
            "generate_schedule",
            "生成付款详情 store and return the payment schedule of a subscription",
            (
                Param("subscription", "认购 id (data key subscription_id)"),
                Param("reason", "原因, e.g. 认购 / 折扣", required=False),
            ),
        ),
    )

    def call(self, operation: str, params: dict[str, Any], context: CallContext) -> dict[str, Any]:
        value = params.get("subscription")
        if isinstance(value, bool) or not isinstance(value, int):
            raise PermanentError(f"subscription must be a subscription id, not {value!r}")
        try:
            return subscriptions.generate_schedule(
                value, context.company_id, context.idempotency_key, str(params.get("reason") or "")
            )
        except (LookupError, ValueError) as exc:  # no such subscription, cancelled, bad inputs
            raise PermanentError(str(exc)) from exc
