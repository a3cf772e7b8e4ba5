"""The display layer (webapp/common: values, glossary, links, display.FormLabels): what a person
reads instead of keys, codes, ids, ISO times and floats."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from tests.sales.conftest import master  # noqa: F401  (the sales master data fixture)
from webapp.common import glossary, links, values
from webapp.common.display import FormLabels, data_rows

SCHEMA = {
    "type": "object",
    "$defs": {"bill": {"type": "object", "properties": {"amount": {"type": "string", "title": "金额(元)"}}}},
    "properties": {
        "price": {"type": "number", "title": "成交总价(元)"},
        "due": {"type": "string", "title": "处理时限", "format": "duration"},
        "callback_at": {"type": "string", "title": "回访时间", "format": "date-time"},
        "signed_on": {"type": "string", "title": "签约日期", "format": "date"},
        "concerns": {
            "type": "array",
            "title": "关注因素",
            "items": {
                "type": "string",
                "oneOf": [
                    {"const": "location", "title": "地段交通"},
                    {"const": "schools", "title": "学校配套"},
                ],
            },
        },
        "kind": {"type": "string", "title": "类型", "oneOf": [{"const": "complaint", "title": "投诉"}]},
        "customer_id": {"type": "integer", "title": "客户", "x-options": "customers"},
        "bill": {"$ref": "#/$defs/bill", "title": "账单"},
    },
}


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def labels() -> FormLabels:
    found = FormLabels()
    found.add(SCHEMA, list(SCHEMA["properties"]))
    return found


@pytest.mark.parametrize(
    ("value", "text"),
    [(2500000.0, "¥2,500,000.00"), ("860493.72", "¥860,493.72"), (Decimal("-5"), "-¥5.00"), (0, "¥0.00"),
     ("abc", "abc"), (True, "True")],
)  # fmt: skip
def test_money_is_yuan_to_the_fen(value, text):
    assert values.money(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [("PT24H", "24 小时"), ("P3D", "3 天"), ("PT1H30M", "1 小时 30 分钟"), ("P1DT2H", "1 天 2 小时"),
     ("PT", "PT"), ("P", "P"), ("PT24X", "PT24X"), ("soon", "soon")],
)  # fmt: skip
def test_iso_durations_read_as_words(value, text):
    assert values.duration(value) == text


def test_times_show_in_shanghai_time_and_dates_in_the_project_format():
    assert values.moment("2026-12-11T10:00:00+08:00") == "2026-12-11 10:00"
    assert values.moment("2026-12-11T02:00:00Z") == "2026-12-11 10:00"
    assert values.moment(datetime(2026, 12, 11, 2, 0, tzinfo=UTC)) == "2026-12-11 10:00"
    assert values.moment("2026-12-11T10:00:00") == "2026-12-11T10:00:00"  # naive: left as it is
    assert values.day("2026-11-27") == "2026-11-27"
    assert values.day("27.11.2026") == "27.11.2026"
    # Without a kind, durations and ISO times are recognised by their shape.
    assert values.plain("PT72H") == "72 小时"
    assert values.plain("2026-11-30T10:00:00+08:00") == "2026-11-30 10:00"
    assert values.plain(25.0) == "25" and values.plain(1.5) == "1.5"
    assert values.plain(None) == "—" and values.plain(False) == "否"


def test_the_kind_comes_from_the_schema_then_the_naming_convention():
    assert values.kind_of("x", {"title": "建议赔付金额(元)"}) == values.MONEY
    assert values.kind_of("x", {"title": "金额（元）"}) == values.MONEY
    assert values.kind_of("x", {"x-format": "money"}) == values.MONEY
    assert values.kind_of("x", {"format": "duration"}) == values.DURATION
    assert values.kind_of("deposit_due") == values.MONEY
    assert values.kind_of("commercial_loan") == values.MONEY
    assert values.kind_of("loan_kind") is None
    assert values.kind_of("rooms_count") is None


def test_form_labels_read_values_by_their_field():
    found = labels()
    assert found.value("price", 2500000.0) == "¥2,500,000.00"
    assert found.value("due", "PT24H") == "24 小时"
    assert found.value("callback_at", "2026-12-11T10:00:00+08:00") == "2026-12-11 10:00"
    assert found.value("signed_on", "2026-12-04") == "2026-12-04"
    assert found.value("concerns", ["location", "schools"]) == "地段交通、学校配套"
    assert found.value("kind", "complaint") == "投诉"
    assert found.value("bill", {"amount": "50.00"}) == "金额(元): ¥50.00"
    assert found.value("concerns", []) == "—"


def test_keys_no_form_names_read_through_the_glossary(db):
    found = labels()
    assert found.title("message_id") == "消息编号" and found.title("template") == "模板"
    assert found.value("direction", "payable") == "应付"
    assert found.value("amount", "2500.00") == "¥2,500.00"
    assert found.value("total", "2310493.72") == "¥2,310,493.72"
    assert found.value("total", 12) == "12"  # a count, not yuan
    assert found.value("template", "COMPLAINT_ACCEPTED") == "客户问题受理通知"
    assert glossary.template_name("NO_SUCH_TEMPLATE") == "NO_SUCH_TEMPLATE"
    assert found.value("params", {"customer_name": "张三", "ticket": "C-1"}) == "客户: 张三; 业务编号: C-1"


def test_the_data_panel_shows_titled_fields_and_leaves_internals_to_the_raw_data():
    found = labels()
    data = {"price": 2500000.0, "reopen_count": 0, "issue_title": "x", "bill": {"amount": "1.00"}}
    plain, nested = data_rows(data, found)
    assert [(r.label, r.text) for r in plain] == [("成交总价(元)", "¥2,500,000.00")]
    assert [(r.label, r.text) for r in nested] == [("账单", "金额(元): ¥1.00")]


def test_linked_ids_show_by_name_for_who_may_see_them(cast, master):  # noqa: F811
    zhang = master["zhang"]
    found = labels().for_user(cast["sales"])
    assert found.value("customer_id", zhang.pk) == "张三"
    assert found.link("customer_id", zhang.pk).url == f"/customers/{zhang.pk}/"  # its page, with its cases
    # The key's convention names the kind where no form does.
    assert found.value("room_id", master["room"].pk) == "安居·滨海花园 3栋1单元1502"
    # Another company's person sees the id only; without a user nothing is looked up.
    assert labels().for_user(cast["outsider"]).value("customer_id", zhang.pk) == f"#{zhang.pk}"
    assert labels().value("customer_id", zhang.pk) == f"#{zhang.pk}"
    assert links.resolve(cast["sales"], "customer", "not a number") is None
    assert links.resolve(cast["sales"], "customer", 99999999) is None


def test_payment_method_codes_show_by_name(cast, master):  # noqa: F811
    found = FormLabels().for_user(cast["sales"])
    found.add({"properties": {"m": {"type": "string", "x-options": "payment_methods"}}}, ["m"])
    assert found.value("m", "commercial_mortgage") == "商业按揭"
