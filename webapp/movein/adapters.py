"""movein/*: what the move-in flows ask for after their steps commit (engine/adapters/base.py).

- `movein/start_rooms` starts the room flow of every room of a prepared batch, one step per room;
  a retried call starts only the rooms still without a flow.
- `movein/room_delivered` tells the batch flow (message movein_batch_delivered) once its last room
  is delivered; a repeated call changes nothing.
"""

from __future__ import annotations

from typing import Any

from engine.adapters import Adapter, CallContext, Operation, Param, PermanentError

from . import rooms


def _batch(params: dict[str, Any]) -> int:
    value = params.get("batch")
    if isinstance(value, bool) or not isinstance(value, int):
        raise PermanentError(f"batch must be a batch id, not {value!r}")
    return value


class MoveinAdapter(Adapter):
    prefix = "movein"
    operations = (
        Operation(
            "start_rooms",
            "启动批次中每个房间的入伙流程 start a room flow per room",
            (Param("batch", "批次 id (batch_id)"),),
        ),
        Operation(
            "room_delivered",
            "房间已交付,最后一间时通知批次流程 tell the batch",
            (Param("batch", "批次 id (batch_id)"),),
        ),
    )

    def call(self, operation: str, params: dict[str, Any], context: CallContext) -> dict[str, Any]:
        batch = _batch(params)
        try:
            if operation == "start_rooms":
                return rooms.start_rooms(batch, context.company_id)
            if operation == "room_delivered":
                return rooms.room_delivered(batch, context.company_id)
        except LookupError as exc:
            raise PermanentError(str(exc)) from exc
        raise PermanentError(f"unknown operation movein/{operation}")
