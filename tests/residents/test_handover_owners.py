"""Owners come from the contracted buyers at handover (交钥匙与验收, the move-in room flow): the
step registers the buyer as the room's owner (source 交付), once; the room's and the owner's
pages show it. Straight and with save/restore between steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.helpers import complete, only_task
from tests.movein.conftest import HANDOVER, RECEPTION, create_batch, prepare
from webapp.movein.models import BatchRoom
from webapp.residents import residency
from webapp.residents.models import Residency


def step(api: Any, user: str, batch_room: int, element: str, data: dict[str, Any]) -> None:
    instance = BatchRoom.objects.get(pk=batch_room).instance_id
    complete(api(user), only_task(api(user), instance, element_id=element)["id"], data)


def test_the_handover_registers_the_contracted_buyer_as_owner_once(
    api, movein, building, restore_mode
) -> None:
    batch = create_batch(api, building[0], movein["project"])
    prepare(api, batch)
    first = (
        BatchRoom.objects.filter(batch_id=batch["id"])
        .select_related("room", "owner")
        .order_by("room__code")[0]
    )
    assert not Residency.objects.filter(room=first.room).exists()
    step(api, "engineer", first.pk, "Task_MockInspection", {"inspected_all": True})
    step(api, "steward", first.pk, "Task_Reception", RECEPTION)
    step(api, "steward", first.pk, "Task_OwnerInspection", {"owner_inspected": True})
    step(api, "steward", first.pk, "Task_Handover", HANDOVER)

    owners = api("steward").get(f"/api/rooms/{first.room_id}/residents/").json()
    assert [(o["customer"]["id"], o["role"], o["source"], o["current"]) for o in owners] == [
        (first.owner_id, "owner", "handover", True)
    ]
    # Idempotent: the same handover again (a retried step) registers nobody twice.
    delivered = owners[0]["started_on"]
    again = residency.do_owners_at_handover(
        first.room_id, [first.owner_id], dt.date.fromisoformat(delivered), None
    )
    assert again == 0 and Residency.objects.filter(room=first.room).count() == 1
    # The owner's page and the room's page show it.
    assert (
        first.owner.name
        in api("agent").get(f"/api/customers/{first.owner_id}/rooms/").json()[0]["customer"]["name"]
    )
    page = api("steward").get(f"/rooms/{first.room_id}/")
    assert (
        page.status_code == 200
        and first.owner.name in page.content.decode()
        and "交付" in page.content.decode()
    )
