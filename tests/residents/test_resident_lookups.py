"""Finding a room by its residents (the hotline agent types the owner's name or initials) and
picking a person among a room's current residents (x-lookup "resident", scoped by the room)."""

from __future__ import annotations

from typing import Any

from forms import check_schema

from .conftest import register


def found(client: Any, source: str, q: str = "", **scope: Any) -> list[dict[str, Any]]:
    response = client.get(f"/api/lookups/{source}/", {"q": q, **scope})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_room_picker_finds_a_room_by_its_current_owner_or_tenant(api, rooms, people) -> None:
    steward, agent = api("steward"), api("agent")
    zhang = next(p for p in people if p.name == "张三")
    owner = register(steward, rooms[10], role="owner", customer_id=zhang.pk)
    register(steward, rooms[11], role="tenant", customer_id=zhang.pk)
    for q in ("张三", "zs", "zhangsan"):
        hits = found(agent, "room", q)
        assert {h["id"] for h in hits} >= {rooms[10].pk, rooms[11].pk}, q
    line = next(h for h in found(agent, "room", "张三") if h["id"] == rooms[10].pk)
    assert line["label"].endswith("· 张三")  # the picker names the owner
    # A moved-out owner no longer finds the room.
    steward.post(f"/api/residents/{owner['id']}/move-out/", {}, format="json")
    assert rooms[10].pk not in {h["id"] for h in found(agent, "room", "张三")}
    # The customer picker finds the tenant by the room he lives in.
    assert zhang.pk in {h["id"] for h in found(agent, "customer", rooms[11].code)}
    # Marketing sees rooms but not customers: a name finds nothing for them.
    assert found(api("mkt_director"), "room", "张三") == []


def test_the_resident_lookup_lists_a_rooms_current_residents(api, rooms, people) -> None:
    steward, agent = api("steward"), api("agent")
    room = rooms[12]
    tenant = register(steward, room, role="tenant", customer_id=people[0].pk)
    register(steward, room, role="member", customer_id=people[1].pk, householder_id=tenant["id"])
    register(steward, rooms[13], role="owner", customer_id=people[2].pk)
    in_room = found(agent, "resident", "", room=room.pk)
    assert {h["id"] for h in in_room} == {people[0].pk, people[1].pk}
    assert any("租户" in h["label"] and "****" in h["label"] for h in in_room)  # masked phone
    assert [h["id"] for h in found(agent, "resident", people[1].name, room=room.pk)] == [people[1].pk]
    # Without a room: by name or by the room's code, across the company.
    assert people[2].pk in {h["id"] for h in found(agent, "resident", rooms[13].code)}
    assert found(api("outsider"), "resident", "", room=room.pk) == []
    # A form may use it, narrowed by its room field.
    schema = {
        "type": "object",
        "properties": {
            "room": {"type": "string", "x-lookup": {"source": "room", "id": "room_id"}},
            "room_id": {"type": "integer"},
            "reporter": {
                "type": "string",
                "x-lookup": {
                    "source": "resident",
                    "id": "reporter_id",
                    "freeText": True,
                    "scope": {"room": "room_id"},
                },
            },
            "reporter_id": {"type": "integer"},
        },
    }
    assert list(check_schema(schema)) == []
