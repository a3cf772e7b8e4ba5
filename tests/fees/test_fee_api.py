"""Fee items and versions through the API: created by the 物业 steward, refused field by field, and
priced to the fen by the quote."""

from __future__ import annotations

from decimal import Decimal

from webapp.fees.models import FeeItem, FeeVersion, PriceRule, Tier

from .conftest import WATER_TIERS, create, line, property_fee, quote


def test_the_steward_creates_a_property_fee_and_lists_it(api, estate):
    steward = api("steward")
    item = create(steward, property_fee(estate))
    assert item["kind"] == "property" and item["basis"] == "area"
    assert item["versions"][0]["unit_price"] == "2.85"
    assert item["versions"][0]["late_fee_daily_rate"] == "0.05"
    listed = steward.get("/api/fees/items/", {"project": estate["binhai"].pk}).json()
    assert [i["code"] for i in listed] == ["wuye"]
    assert steward.get(f"/api/fees/items/{item['id']}/").json()["name"] == "物业费"


def test_bad_items_are_refused_field_by_field_and_save_nothing(api, estate):
    steward = api("steward")
    cases = [
        (property_fee(estate, unit_price="-2.85"), "unit_price"),
        (property_fee(estate, unit_price=2.85), "unit_price"),  # a float
        (property_fee(estate, unit_price="2.855"), "unit_price"),
        (property_fee(estate, unit_price="NaN"), "unit_price"),
        (property_fee(estate, effective_from="2026-13-01"), "effective_from"),
        (property_fee(estate, effective_to="2025-12-31"), "effective_to"),
        (property_fee(estate, late_fee_daily_rate="-0.05"), "late_fee_daily_rate"),
        (property_fee(estate, late_fee_grace_days=-1), "late_fee_grace_days"),
        (property_fee(estate, rules=[{"room_kind": "castle", "unit_price": "3.00"}]), "rules"),
        (
            property_fee(estate, rules=[{"building": estate["b3"].pk, "layout": "x", "unit_price": "3"}]),
            "rules",
        ),
        ({**property_fee(estate), "kind": "gold"}, "kind"),
        ({**property_fee(estate), "code": "物业"}, "code"),
        ({**property_fee(estate), "name": ""}, "name"),
        (
            {
                **property_fee(estate),
                "kind": "water",
                "version": {
                    "effective_from": "2026-01-01",
                    "tiers": [
                        {"up_to": "20", "unit_price": "3.45"},
                        {"up_to": "10", "unit_price": "4.83"},
                        {"up_to": None, "unit_price": "6.90"},
                    ],
                },
            },
            "tiers",
        ),
        (
            {
                **property_fee(estate),
                "kind": "water",
                "version": {"effective_from": "2026-01-01", "tiers": [{"up_to": "10", "unit_price": "3.45"}]},
            },
            "tiers",
        ),
    ]
    for body, field in cases:
        response = steward.post("/api/fees/items/", body, format="json")
        assert response.status_code == 400, (field, response.content)
        assert field in response.json()["field_errors"], (field, response.json())
    assert not FeeItem.objects.exists() and not FeeVersion.objects.exists()
    create(steward, property_fee(estate))
    again = steward.post("/api/fees/items/", property_fee(estate), format="json")
    assert again.status_code == 400 and "code" in again.json()["field_errors"]


def test_another_companys_estate_and_items_are_not_found(api, estate):
    item = create(api("steward"), property_fee(estate))
    outsider = api("outsider")
    body = {**property_fee(estate), "project": estate["shanghai"].pk}
    assert api("steward").post("/api/fees/items/", body, format="json").status_code == 404
    assert outsider.get(f"/api/fees/items/{item['id']}/").status_code == 404
    assert outsider.post(f"/api/fees/items/{item['id']}/versions/", {}, format="json").status_code == 404
    assert outsider.get("/api/fees/items/").json() == []
    assert (
        outsider.get("/api/fees/quote/", {"room": estate["flat"].pk, "month": "2026-11"}).status_code == 404
    )


def test_fee_setup_is_for_the_property_staff(api, estate):
    assert api("engineer").get("/api/fees/items/").status_code == 403
    assert api("head").get("/api/fees/items/").status_code == 200  # 公司领导 sees it
    assert api("head").post("/api/fees/items/", property_fee(estate), format="json").status_code == 403
    assert not FeeItem.objects.exists()


def test_a_new_version_takes_over_from_its_date_and_never_overlaps(api, estate):
    steward = api("steward")
    item = create(steward, property_fee(estate))
    url = f"/api/fees/items/{item['id']}/versions/"
    for start in ("2026-01-01", "2025-06-01"):
        refused = steward.post(url, {"effective_from": start, "unit_price": "3.10"}, format="json")
        assert refused.status_code == 400 and "effective_from" in refused.json()["field_errors"]
    added = steward.post(url, {"effective_from": "2026-12-01", "unit_price": "3.10"}, format="json")
    assert added.status_code == 201, added.content
    assert line(quote(steward, estate["flat"], "2026-11"), "wuye")["amount"] == "254.70"
    assert line(quote(steward, estate["flat"], "2026-12"), "wuye")["amount"] == "277.05"  # 89.37 × 3.10
    assert quote(steward, estate["flat"], "2025-12")["lines"] == []  # before the first version
    first = FeeVersion.objects.get(item_id=item["id"], effective_from="2026-01-01")
    assert first.unit_price == Decimal("2.85") and first.effective_to is None  # the old version is untouched
    ended = steward.post(url, {"effective_from": "2027-01-01", "effective_to": "2027-06-30", "unit_price": "3.20"},
                         format="json")  # fmt: skip
    assert ended.status_code == 201
    after = steward.post(url, {"effective_from": "2027-03-01", "unit_price": "3.30"}, format="json")
    assert after.status_code == 400 and "effective_from" in after.json()["field_errors"]
    assert quote(steward, estate["flat"], "2027-07")["lines"] == []  # the item ended


def test_the_quote_prices_each_item_in_force_to_the_fen(api, estate):
    steward = api("steward")
    create(steward, property_fee(estate, rules=[
        {"building": estate["b5"].pk, "unit_price": "3.20"},
        {"room_kind": "shop", "unit_price": "5.50"},
    ]))  # fmt: skip
    create(steward, {"project": estate["binhai"].pk, "code": "shui", "name": "水费", "kind": "water",
                     "version": {"effective_from": "2026-01-01", "tiers": WATER_TIERS}})  # fmt: skip
    create(steward, {"project": estate["binhai"].pk, "code": "menjinka", "name": "门禁卡押金", "kind": "card_deposit",
                     "version": {"effective_from": "2026-01-01", "unit_price": "50.00"}})  # fmt: skip
    flat = quote(steward, estate["flat"], "2026-11", water="23.5")
    assert (line(flat, "wuye")["amount"], line(flat, "wuye")["days"]) == ("254.70", 30)
    assert line(flat, "shui")["amount"] == "106.95"
    assert line(flat, "menjinka")["amount"] == "50.00" and line(flat, "menjinka")["monthly"] is False
    assert flat["monthly_total"] == "361.65"  # the deposit is charged once, not monthly
    assert line(quote(steward, estate["flat"], "2026-11"), "shui")["amount"] is None  # no usage given
    assert line(quote(steward, estate["b5_flat"], "2026-11"), "wuye")["amount"] == "320.00"  # building price
    assert line(quote(steward, estate["shop"], "2026-11"), "wuye")["amount"] == "660.00"  # shop price
    missing = line(quote(steward, estate["no_area"], "2026-11"), "wuye")
    assert missing["amount"] is None and "BH-3-1-1503" in missing["error"]


def test_a_layout_price_applies_when_no_building_price_does(api, estate):
    steward = api("steward")
    create(steward, property_fee(estate, rules=[
        {"layout": "三室两厅两卫", "unit_price": "3.00"}, {"building": estate["b5"].pk, "unit_price": "3.20"},
    ]))  # fmt: skip
    assert line(quote(steward, estate["flat"], "2026-11"), "wuye")["amount"] == "268.11"  # 89.37 × 3.00
    assert line(quote(steward, estate["b5_flat"], "2026-11"), "wuye")["amount"] == "320.00"
    assert PriceRule.objects.count() == 2


def test_move_in_mid_month_prorates_by_days(api, estate):
    steward = api("steward")
    create(steward, property_fee(estate))
    moved_in = steward.post(f"/api/rooms/{estate['flat'].pk}/residents/", {
        "role": "owner", "customer_id": estate["owner"].pk, "started_on": "2026-11-14",
    }, format="json")  # fmt: skip
    assert moved_in.status_code == 201, moved_in.content
    november = quote(steward, estate["flat"], "2026-11")
    assert november["charged_days"] == 17 and november["holder"] == "owner"
    assert line(november, "wuye")["amount"] == "144.33"  # 254.7045 × 17 ÷ 30
    assert line(quote(steward, estate["flat"], "2026-12"), "wuye")["amount"] == "254.70"


def test_parking_owned_and_rented_spaces_differ(api, estate):
    steward = api("steward")
    create(steward, {"project": estate["binhai"].pk, "code": "tingche", "name": "停车费", "kind": "parking",
                     "version": {"effective_from": "2026-01-01", "unit_price": "350.00", "owned_price": "80.00"}})  # fmt: skip
    for space, who, role in (
        (estate["space1"], estate["owner"], "owner"),
        (estate["space2"], estate["tenant"], "tenant"),
    ):
        registered = steward.post(f"/api/rooms/{space.pk}/residents/", {
            "role": role, "customer_id": who.pk, "started_on": "2026-01-01",
        }, format="json")  # fmt: skip
        assert registered.status_code == 201, registered.content
    assert line(quote(steward, estate["space1"], "2026-11"), "tingche")["amount"] == "80.00"
    assert line(quote(steward, estate["space2"], "2026-11"), "tingche")["amount"] == "350.00"
    flat = quote(steward, estate["flat"], "2026-11")
    assert all(entry["code"] != "tingche" for entry in flat["lines"])  # a flat has no space


def test_bad_quotes_are_400(api, estate):
    steward = api("steward")
    for params, field in (({"month": "2026-13"}, "month"), ({"month": "2026-11", "water": "-1"}, "water"),
                          ({"month": "x"}, "month")):  # fmt: skip
        response = steward.get("/api/fees/quote/", {"room": estate["flat"].pk, **params})
        assert response.status_code == 400 and field in response.json()["field_errors"], response.content
    assert steward.get("/api/fees/quote/", {"month": "2026-11"}).status_code == 400
    assert steward.get("/api/fees/quote/", {"room": "abc", "month": "2026-11"}).status_code == 404


def test_tiers_are_stored_in_order(api, estate):
    steward = api("steward")
    item = create(steward, {"project": estate["binhai"].pk, "code": "shui", "name": "水费", "kind": "water",
                            "version": {"effective_from": "2026-01-01", "tiers": WATER_TIERS}})  # fmt: skip
    assert item["versions"][0]["tiers"] == [
        {"up_to": "10.00", "unit_price": "3.45"}, {"up_to": "20.00", "unit_price": "4.83"},
        {"up_to": None, "unit_price": "6.90"},
    ]  # fmt: skip
    assert Tier.objects.count() == 3


def test_hostile_bodies_are_400_not_500(api, estate):
    steward = api("steward")
    assert steward.post("/api/fees/items/", ["x"], format="json").status_code == 400
    for body, field in (
        ({**property_fee(estate), "version": "2.85"}, "version"),
        (property_fee(estate, due_days="²"), "due_days"),
        (property_fee(estate, rules=[{"building": "²", "unit_price": "3.00"}]), "rules"),
        (property_fee(estate, unit_price="99999999999.99"), "unit_price"),
        (property_fee(estate, late_fee_daily_rate="1000"), "late_fee_daily_rate"),
        (property_fee(estate, note="a\x00b"), "note"),
    ):
        response = steward.post("/api/fees/items/", body, format="json")
        assert response.status_code == 400 and field in response.json()["field_errors"], (
            field,
            response.content,
        )
    assert steward.post("/api/fees/items/", {"project": ""}, format="json").status_code == 400
    assert steward.post("/api/fees/items/", {"project": "x"}, format="json").status_code == 404
    assert not FeeItem.objects.exists()
