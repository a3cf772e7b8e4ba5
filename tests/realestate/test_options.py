"""x-options providers: rooms.available, customers, payment_methods."""

from __future__ import annotations

from engine import options
from webapp.realestate.customers import save_customer
from webapp.realestate.models import Customer, PaymentMethod, Room, RoomStatus

from .conftest import customer_body, resident_id


def choices(name: str, user, data=None) -> list[dict]:  # type: ignore[no-untyped-def]
    assert options.exists(name)
    return options._PROVIDERS[name][1](user, data or {})


def test_available_rooms_are_titled_and_ordered_by_place(cast, master) -> None:
    rooms = choices("rooms.available", cast["sales"])
    assert len(rooms) == 156
    room = Room.objects.get(code="BH-3-1-1502")
    first = Room.objects.get(code="BH-3-1-101")
    assert rooms[0] == {"value": first.pk, "title": first.summary()}
    title = next(c["title"] for c in rooms if c["value"] == room.pk)
    assert title == f"安居·滨海花园 3栋1单元1502 · {room.built_area:.2f}㎡ · ¥{room.list_price:,.2f}"
    codes = [Room.objects.get(pk=c["value"]).code for c in rooms[:5]]
    assert codes == ["BH-3-1-101", "BH-3-1-102", "BH-3-1-201", "BH-3-1-202", "BH-3-1-301"]
    # Building 5 comes after building 3 and unit 2 after unit 1; floor 10 after floor 9.
    order = [Room.objects.get(pk=c["value"]).code for c in rooms]
    assert (
        order.index("BH-3-1-902")
        < order.index("BH-3-1-1001")
        < order.index("BH-3-2-101")
        < order.index("BH-5-1-101")
    )


def test_available_rooms_leave_out_taken_rooms_and_narrow_to_a_project(cast, master) -> None:
    Room.objects.filter(code="BH-3-1-1502").update(status=RoomStatus.SUBSCRIBED)
    rooms = choices("rooms.available", cast["sales"])
    assert Room.objects.get(code="BH-3-1-1502").pk not in [c["value"] for c in rooms]
    assert len(choices("rooms.available", cast["sales"], {"project": "shanyu"})) == 12
    shanyu = Room.objects.filter(project__code="shanyu").first().project_id
    assert len(choices("rooms.available", cast["sales"], {"project": shanyu})) == 12
    assert len(choices("rooms.available", cast["sales"], {"project": "安居·山语城"})) == 12
    assert choices("rooms.available", cast["sales"], {"project": "jiangwan"}) == []
    assert {c["title"].split(" ")[0] for c in choices("rooms.available", cast["outsider"])} == {"安居·江湾府"}


def test_customers_are_most_recent_first_with_a_masked_phone(cast, master) -> None:
    sales = cast["sales"]
    newest = save_customer(
        sales.company, sales, customer_body(name="钱七", id_number=resident_id("19700101", True, 11))
    )
    listed = choices("customers", sales)
    assert listed[0] == {"value": newest.pk, "title": "钱七 · 138****8000"}
    assert len(listed) == 11
    assert choices("customers", cast["outsider"]) == []


def test_customers_are_capped_but_keep_the_chosen_one(cast, master, monkeypatch) -> None:
    from webapp.realestate import options as provider

    monkeypatch.setattr(provider, "MAX_CUSTOMERS", 3)
    oldest = Customer.objects.filter(company=master["sz"]).order_by("created_at", "pk").first()
    listed = choices("customers", cast["sales"])
    assert len(listed) == 3 and oldest.pk not in [c["value"] for c in listed]
    listed = choices("customers", cast["sales"], {"customer_id": oldest.pk})
    assert listed[0]["value"] == oldest.pk and len(listed) == 4
    other = save_customer(cast["outsider"].company, cast["outsider"], customer_body())
    assert other.pk not in [
        c["value"] for c in choices("customers", cast["sales"], {"customer_id": other.pk})
    ]


def test_payment_methods_are_the_active_ones_by_code(cast, master) -> None:
    PaymentMethod.objects.filter(company=master["sz"], code="installments").update(active=False)
    assert choices("payment_methods", cast["sales"]) == [
        {"value": "lump_sum", "title": "一次性付款"},
        {"value": "commercial_mortgage", "title": "商业按揭"},
        {"value": "housing_fund", "title": "公积金贷款"},
        {"value": "combined_loan", "title": "组合贷款"},
    ]


def test_providers_give_nothing_to_users_without_a_company(cast, master) -> None:
    from django.contrib.auth.models import AnonymousUser

    for name in ("rooms.available", "customers", "payment_methods"):
        assert choices(name, AnonymousUser()) == []
