"""The fee setup pages (收费设置): the items of an estate, a new item and a new version from the
page's form (tiers and per-kind prices one per line), refused fields shown with a 400, the quote."""

from __future__ import annotations

from webapp.fees.models import FeeItem, FeeVersion

from .conftest import create, property_fee


def test_the_setup_page_lists_the_estates_items_and_the_menu_leads_there(api, web, estate):
    create(api("steward"), property_fee(estate))
    page = web("steward").get("/fees/", {"project": estate["binhai"].pk})
    text = page.content.decode()
    assert page.status_code == 200 and "收费设置" in text and 'data-item="wuye"' in text and "物业费" in text
    assert 'id="nav-fee-setup"' in text and 'id="fee-item-new"' in text
    head = web("head").get("/fees/").content.decode()
    assert 'data-item="wuye"' in head and 'id="fee-item-new"' not in head  # sees, does not set up
    assert web("engineer").get("/fees/").status_code == 403
    assert web("outsider").get("/fees/", {"project": estate["binhai"].pk}).status_code == 404


def test_a_new_water_item_from_the_form(web, estate):
    steward = web("steward")
    form = steward.get("/fees/items/new/", {"project": estate["binhai"].pk})
    assert form.status_code == 200 and 'id="fee-item-form"' in form.content.decode()
    posted = steward.post("/fees/items/new/", {
        "project": estate["binhai"].pk, "code": "shui", "name": "水费", "kind": "water",
        "effective_from": "2026-01-01", "tiers": "10 3.45\n20 4.83\n以上 6.90", "late_fee_daily_rate": "0.05",
        "late_fee_grace_days": "5", "late_fee_waivable": "on",
    })  # fmt: skip
    item = FeeItem.objects.get(code="shui")
    assert posted.status_code == 302 and posted["Location"] == f"/fees/items/{item.pk}/"
    version = item.versions.get()
    assert [(t.up_to, str(t.unit_price)) for t in version.tiers.all()][-1] == (None, "6.90")
    assert version.late_fee_grace_days == 5 and version.late_fee_waivable
    detail = steward.get(f"/fees/items/{item.pk}/").content.decode()
    assert "2026-01-01" in detail and "¥6.90" in detail and 'id="fee-version-form"' in detail


def test_bad_forms_come_back_with_the_fields_marked(web, estate):
    steward = web("steward")
    refused = steward.post("/fees/items/new/", {
        "project": estate["binhai"].pk, "code": "wuye", "name": "物业费", "kind": "property",
        "effective_from": "2026-01-01", "unit_price": "-2.85", "rules": "楼栋 9栋 3.00",
    })  # fmt: skip
    assert refused.status_code == 400 and 'id="id_rules-error"' in refused.content.decode()
    refused = steward.post("/fees/items/new/", {
        "project": estate["binhai"].pk, "code": "wuye", "name": "物业费", "kind": "property",
        "effective_from": "2026-01-01", "unit_price": "-2.85", "rules": "类型 商铺 5.50\n楼栋 5栋 3.20",
    })  # fmt: skip
    assert refused.status_code == 400 and 'id="id_unit_price-error"' in refused.content.decode()
    assert not FeeItem.objects.exists()


def test_a_new_version_from_the_item_page(api, web, estate):
    item = create(api("steward"), property_fee(estate))
    steward = web("steward")
    overlapping = steward.post(
        f"/fees/items/{item['id']}/versions/", {"effective_from": "2025-12-01", "unit_price": "3.10"}
    )
    assert overlapping.status_code == 400 and 'id="id_effective_from-error"' in overlapping.content.decode()
    saved = steward.post(f"/fees/items/{item['id']}/versions/", {
        "effective_from": "2026-12-01", "unit_price": "3.10", "rules": "楼栋 5栋 3.20\n户型 三室两厅两卫 3.00",
    })  # fmt: skip
    assert saved.status_code == 302
    version = FeeVersion.objects.get(item_id=item["id"], effective_from="2026-12-01")
    assert {(r.building_id, r.layout) for r in version.rules.all()} == {
        (estate["b5"].pk, ""),
        (None, "三室两厅两卫"),
    }
    assert (
        web("head").post(f"/fees/items/{item['id']}/versions/", {"effective_from": "2027-01-01"}).status_code
        == 403
    )


def test_the_quote_page(api, web, estate):
    create(api("steward"), property_fee(estate))
    page = web("steward").get("/fees/quote/", {"room": "BH-3-1-1502", "month": "2026-11"})
    text = page.content.decode()
    assert page.status_code == 200 and "¥254.70" in text and "计费 30 天" in text
    missing = web("steward").get("/fees/quote/", {"room": "BH-3-1-1503", "month": "2026-11"}).content.decode()
    assert "BH-3-1-1503" in missing and "没有收费面积" in missing
    assert web("steward").get("/fees/quote/", {"room": "BH-X", "month": "2026-11"}).status_code == 400


def test_the_item_page_names_what_each_price_is_for(api, web, estate):
    body = property_fee(
        estate,
        rules=[
            {"room_kind": "shop", "unit_price": "5.50"},
            {"building": estate["b5"].pk, "unit_price": "3.20"},
        ],
    )
    item = create(api("steward"), body)
    text = web("steward").get(f"/fees/items/{item['id']}/").content.decode()
    assert "商铺：¥5.50" in text and "5栋：¥3.20" in text and "每日 0.05%" in text
