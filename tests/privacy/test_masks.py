"""The masks and what counts as personal data (webapp/privacy.py), edge cases first."""

from __future__ import annotations

import pytest

from webapp import privacy
from webapp.privacy import (
    keep_stored,
    mask_address,
    mask_data,
    mask_id,
    mask_phone,
    mask_text,
    personal_fields,
)
from webapp.realestate.models import Customer


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("110105199003070021", "110105********0021"),
        ("11010519900307002X", "110105********002X"),
        (" 110105199003070021 ", "110105********0021"),  # stray spaces of an import
        ("110105900307002", "110105*****7002"),  # an old 15-digit ID
        ("91440300MA5F000001", "914403********0001"),  # a business licence
        ("E12345678", "E1*****78"),  # a passport: first and last 2
        ("H1234567", "H1****67"),
        ("AB1234", "A****4"),  # very short: first and last 1
        ("X12", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id(value, masked):
    assert mask_id(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13800138000", "138****8000"),
        (13800138000, "138****8000"),  # a number typed into a spreadsheet
        ("+86 138 0013 8000", "+86 138 **** 8000"),
        ("138-0013-8000", "138-****-8000"),
        ("0755-88886666", "0755-****6666"),
        ("010-62345678", "010-****5678"),
        ("0755-88881234转801", "0755-****1234转801"),  # the extension stays
        ("13800138000 / 13900139000", "138****8000 / 139****9000"),  # two numbers, both masked
        ("8888666", "*****66"),  # a short local number keeps its last 2 digits
        ("110", "***"),
        ("无", "无"),  # no digits: nothing to hide
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("深圳市南山区科技园科苑路15号", "深圳市南山区****"),
        ("广东省深圳市南山区科技园", "广东省深圳市南山区****"),
        ("上海市浦东新区张江路1号", "上海市浦东新区****"),
        ("江苏省苏州市昆山市玉山镇", "江苏省苏州市昆山市****"),
        ("广西壮族自治区南宁市青秀区民族大道", "广西壮族自治区南宁市青秀区****"),
        ("深圳市科技园科苑路15号", "深圳市****"),  # no district near the city: the city alone
        ("深圳市福田区", "深圳市****"),  # keeping the district would keep everything
        ("南山区科技园科苑路", "南山区****"),
        ("科苑路15号", "科苑路****"),  # no city or district: at most half
        ("12 Queen's Road Central, Hong Kong", "12 Que****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_address(value, masked):
    assert mask_address(value) == masked


def test_mask_text_hides_phones_and_ids_in_free_text_only():
    text = "客户电话13800138000，身份证110105199003070021，座机0755-88886666。"
    assert mask_text(text) == "客户电话138****8000，身份证110105********0021，座机0755-****6666。"
    for harmless in (
        "2026-11-27 09:00",
        "BH-3-1-1502",
        "RG-BH-0001",
        "12345678901234567890",
        "¥2,345,678.90",
    ):
        assert mask_text(harmless) == harmless
    assert mask_text("") == "" and mask_text("+8613800138000") == "+86138****8000"


def test_mask_data_masks_personal_keys_at_any_depth_and_leaves_other_values():
    data = {
        "customer_mobile": "13800138000",
        "owner_mobile": "",
        "description": "请拨打13900139000",
        "count": 3,
        "group_complaint": False,
        "missing": None,
        "changed": {"customer_mobile": ["13800138000", "13900139000"]},
        "contacts": [{"mobile": "13700137000", "name": "王五"}],
        "contact_id": "11010519900307002X",
    }
    masked = mask_data(data, {"properties": {"contact_id": {"type": "string", "format": "cn-resident-id"}}})
    assert masked == {
        "customer_mobile": "138****8000",
        "owner_mobile": "",
        "description": "请拨打139****9000",
        "count": 3,
        "group_complaint": False,
        "missing": None,
        "changed": {"customer_mobile": ["138****8000", "139****9000"]},
        "contacts": [{"mobile": "137****7000", "name": "王五"}],
        "contact_id": "110105********002X",
    }
    assert data["customer_mobile"] == "13800138000"  # a copy: the original is untouched
    assert mask_data(None) is None and mask_data([]) == [] and mask_data("13800138000") == "138****8000"


def test_personal_fields_of_a_form_schema():
    schema = {
        "$defs": {"phone": {"type": "string", "format": "cn-phone"}},
        "properties": {
            "buyer_id": {"type": "string", "format": "cn-resident-id"},
            "buyer_mobile": {"type": "string", "format": "cn-mobile"},
            "office": {"$ref": "#/$defs/phone"},
            "customer_mobile": {"type": "string", "readOnly": True},  # a known data key, no format
            "spouse": {"type": "object", "properties": {"spouse_id": {"type": "string", "format": "cn-resident-id"}}},
            "phones": {"type": "array", "items": {"type": "string", "format": "cn-mobile"}},
            "note": {"type": "string"},
        },
    }  # fmt: skip
    assert personal_fields(schema) == {
        "buyer_id": "id", "buyer_mobile": "phone", "office": "phone", "customer_mobile": "phone",
        "spouse_id": "id", "phones": "phone",
    }  # fmt: skip
    assert personal_fields(None) == {} and personal_fields({"properties": "odd"}) == {}


def test_keep_stored_turns_echoed_masks_back_into_the_stored_values():
    stored = {
        "id_number": "110105199003070021",
        "mobile": "13800138000",
        "address": "深圳市南山区科技园",
        "name": "张三",
    }
    submitted = {
        "id_number": "110105********0021",
        "mobile": "",
        "address": "深圳市福田区福华路",
        "name": "张三丰",
    }
    kept = keep_stored(submitted, stored, privacy.CUSTOMER_FIELDS)
    assert kept == {**submitted, "id_number": "110105199003070021"}  # empty stays empty without empty_keeps
    kept = keep_stored(submitted, stored, privacy.CUSTOMER_FIELDS, empty_keeps=["mobile"])
    assert (
        kept["mobile"] == "13800138000"
        and kept["address"] == "深圳市福田区福华路"
        and kept["name"] == "张三丰"
    )
    assert keep_stored({"mobile": "13900139000"}, {"mobile": ""}, empty_keeps=["mobile"]) == {
        "mobile": "13900139000"
    }


def test_the_customer_pickers_mask_is_the_same_mask():
    assert Customer(mobile="", office_phone="0755-88886666").masked_phone() == "0755-****6666"
    assert Customer(mobile="13800138000").masked_phone() == "138****8000"
    assert Customer().masked_phone() == ""
