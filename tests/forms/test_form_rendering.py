"""render_form: Bootstrap 5 fields, everything escaped, errors beside their fields, counters
instead of silent cuts; render_form_parts: the inputs and the read-only context as rows."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.utils import translation
from django.utils.safestring import SafeString

from forms import render_form, render_form_parts

Attrs = dict[str, str | None]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, Attrs]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, Attrs]]:
    collector = _Collector()
    collector.feed(html)
    return collector.elements


def _by_id(html: str, element_id: str) -> tuple[str, Attrs]:
    found = [(tag, attrs) for tag, attrs in _elements(html) if attrs.get("id") == element_id]
    assert len(found) == 1, f"expected one element with id {element_id}, found {len(found)}"
    return found[0]


def _classes(attrs: Attrs) -> set[str]:
    return set((attrs.get("class") or "").split())


SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "customer_type"],
    "properties": {
        "name": {"type": "string", "title": "客户名称", "maxLength": 50},
        "customer_type": {
            "type": "string",
            "title": "客户类型",
            "oneOf": [{"const": "individual", "title": "个人"}, {"const": "company", "title": "公司"}],
        },
        "mobile": {"type": "string", "title": "移动电话", "format": "cn-mobile"},
        "email": {"type": "string", "format": "email"},
        "birth_date": {"type": "string", "format": "date"},
        "household_size": {"type": "integer", "minimum": 1},
        "area": {"type": "number"},
        "is_employee": {"type": "boolean", "title": "是否万科职员"},
        "channels": {
            "type": "array",
            "title": "来访渠道",
            "items": {"enum": ["phone", "visit"]},
        },
        "remark": {"type": "string", "description": "客户的特别要求"},
        "address": {
            "type": "object",
            "title": "通讯地址",
            "properties": {"city": {"type": "string", "title": "城市"}},
        },
    },
}


def test_result_is_a_safe_string_without_form_tag_or_button() -> None:
    html = render_form(SCHEMA)
    assert isinstance(html, SafeString)
    assert "<form" not in html
    assert "<button" not in html


def test_title_and_value_containing_script_come_out_escaped() -> None:
    schema = {
        "type": "object",
        "properties": {
            "x": {"type": "string", "title": "<script>alert('t')</script>", "description": "<b>d</b>"},
            "y": {"type": "string", "enum": ["<script>v</script>"]},
            "z": {"type": "string"},
        },
    }
    data = {"x": '"><script>alert(1)</script>', "z": "</textarea><script>"}
    html = render_form(schema, {"z": {"ui:widget": "textarea"}}, data, {"x": ["<script>e</script>"]})
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "&lt;b&gt;d&lt;/b&gt;" in html
    assert "&lt;script&gt;e&lt;/script&gt;" in html
    assert "&lt;/textarea&gt;&lt;script&gt;" in html


def test_labels_come_from_titles_falling_back_to_property_names() -> None:
    html = render_form(SCHEMA)
    assert '<label class="form-label" for="id_name">客户名称' in html
    assert '<label class="form-label" for="id_email">email' in html


def test_required_fields_get_a_red_star_and_the_required_attribute() -> None:
    html = render_form(SCHEMA)
    assert 'for="id_name">客户名称<span class="text-danger' in html
    assert "required" in _by_id(html, "id_name")[1]
    assert "required" not in _by_id(html, "id_email")[1]
    assert 'for="id_email">email</label>' in html


def test_input_types_follow_the_format() -> None:
    html = render_form(SCHEMA)
    assert _by_id(html, "id_name")[1]["type"] == "text"
    assert "maxlength" not in _by_id(html, "id_name")[1]  # a counter says it, nothing cuts silently
    assert _by_id(html, "id_email")[1]["type"] == "email"
    assert _by_id(html, "id_birth_date")[1]["type"] == "date"
    mobile = _by_id(html, "id_mobile")[1]
    assert (mobile["type"], mobile["inputmode"]) == ("tel", "tel")


def test_numbers_get_number_inputs_with_step() -> None:
    html = render_form(SCHEMA, data={"household_size": 3})
    size = _by_id(html, "id_household_size")[1]
    assert (size["type"], size["step"], size["min"], size["value"]) == ("number", "1", "1", "3")
    assert _by_id(html, "id_area")[1]["step"] == "any"


def test_select_shows_titles_and_marks_the_selected_value() -> None:
    html = render_form(SCHEMA, data={"customer_type": "company"})
    tag, attrs = _by_id(html, "id_customer_type")
    assert tag == "select"
    assert "form-select" in _classes(attrs)
    assert '<option value="company" selected>公司</option>' in html
    assert '<option value="individual">个人</option>' in html
    assert '<option value="">Select…</option>' in html


def test_radio_widget_shows_one_radio_per_choice() -> None:
    html = render_form(SCHEMA, {"customer_type": {"ui:widget": "radio"}}, {"customer_type": "individual"})
    first = _by_id(html, "id_customer_type_0")[1]
    assert (first["type"], first["name"], first["value"]) == ("radio", "customer_type", "individual")
    assert "checked" in first
    assert "checked" not in _by_id(html, "id_customer_type_1")[1]
    assert 'for="id_customer_type_1">公司</label>' in html


def test_radio_errors_follow_the_options() -> None:
    html = render_form(SCHEMA, {"customer_type": {"ui:widget": "radio"}}, errors={"customer_type": ["必填"]})
    assert html.index('id="id_customer_type_1"') < html.index(
        '<div class="invalid-feedback d-block">必填</div>'
    )
    assert "is-invalid" in _classes(_by_id(html, "id_customer_type_0")[1])


def test_ui_options_input_type_picks_the_input_type() -> None:
    html = render_form(SCHEMA, {"name": {"ui:options": {"inputType": "tel"}}})
    assert _by_id(html, "id_name")[1]["type"] == "tel"


def test_boolean_with_radio_widget_offers_yes_and_no() -> None:
    html = render_form(SCHEMA, {"is_employee": {"ui:widget": "radio"}}, {"is_employee": False})
    yes, no = _by_id(html, "id_is_employee_0")[1], _by_id(html, "id_is_employee_1")[1]
    assert (yes["value"], no["value"]) == ("true", "false")
    assert "checked" in no
    assert 'for="id_is_employee_0">Yes</label>' in html


def test_boolean_is_a_checkbox_checked_from_data() -> None:
    html = render_form(SCHEMA, data={"is_employee": True})
    attrs = _by_id(html, "id_is_employee")[1]
    assert (attrs["type"], attrs["value"], "checked" in attrs) == ("checkbox", "on", True)
    assert "form-check-input" in _classes(attrs)


def test_array_of_enum_is_a_list_of_checkboxes() -> None:
    html = render_form(SCHEMA, data={"channels": ["visit"]})
    phone, visit = _by_id(html, "id_channels_0")[1], _by_id(html, "id_channels_1")[1]
    assert (phone["type"], phone["name"]) == ("checkbox", "channels")
    assert "checked" not in phone
    assert "checked" in visit


def test_nested_object_is_a_fieldset_with_dotted_names() -> None:
    html = render_form(SCHEMA, data={"address": {"city": "深圳"}})
    assert _by_id(html, "id_address")[0] == "fieldset"
    assert "通讯地址</legend>" in html
    city = _by_id(html, "id_address__city")[1]
    assert (city["name"], city["value"]) == ("address.city", "深圳")


def test_errors_are_rendered_beside_the_field_with_is_invalid() -> None:
    html = render_form(SCHEMA, errors={"name": ["此项为必填项"], "address.city": ["太长"]})
    attrs = _by_id(html, "id_name")[1]
    assert "is-invalid" in _classes(attrs)
    assert attrs["aria-describedby"] == "id_name_error id_name_count"
    name_block = html.split('for="id_name"', 1)[1].split('<div class="mb-3">', 1)[0]
    assert '<div class="invalid-feedback d-block">此项为必填项</div>' in name_block
    assert "is-invalid" in _classes(_by_id(html, "id_address__city")[1])
    assert "is-invalid" not in _classes(_by_id(html, "id_email")[1])
    assert "alert" not in html


def test_errors_on_list_items_show_on_the_checkbox_list() -> None:
    html = render_form(SCHEMA, errors={"channels.1": ["请选择有效的选项"]})
    assert "is-invalid" in _classes(_by_id(html, "id_channels_0")[1])
    assert "alert" not in html


def test_non_field_and_unplaced_errors_are_listed_on_top() -> None:
    schema = {"type": "object", "properties": {"token": {"type": "string", "title": "令牌"}}}
    html = render_form(
        schema,
        {"token": {"ui:widget": "hidden"}},
        errors={"non_field_errors": ["至少填写一个电话"], "token": ["无效"]},
    )
    assert html.startswith('<div class="alert alert-danger" role="alert">')
    assert "<li>至少填写一个电话</li>" in html
    assert "<li>令牌: 无效</li>" in html


def test_help_and_description_are_form_text() -> None:
    html = render_form(SCHEMA, {"name": {"ui:help": "与证件一致"}})
    assert '<div class="form-text">与证件一致</div>' in html
    assert '<div class="form-text">客户的特别要求</div>' in html
    assert _by_id(html, "id_name")[1]["aria-describedby"] == "id_name_help id_name_count"
    assert _by_id(html, "id_email")[1].get("aria-describedby") is None


def test_ui_order_with_wildcard_puts_named_fields_around_the_rest() -> None:
    html = render_form(SCHEMA, {"ui:order": ["mobile", "*", "name"]})
    ids = [attrs["id"] for tag, attrs in _elements(html) if tag in ("input", "select") and attrs.get("id")]
    assert ids[0] == "id_mobile"
    assert ids[-1] == "id_name"


def test_ui_widgets_textarea_hidden_and_password() -> None:
    ui = {
        "remark": {"ui:widget": "textarea", "ui:options": {"rows": 6}, "ui:placeholder": "请填写"},
        "email": {"ui:widget": "hidden"},
        "name": {"ui:widget": "password"},
    }
    html = render_form(SCHEMA, ui, {"remark": "第一行", "email": "a@b.cn", "name": "secret"})
    tag, attrs = _by_id(html, "id_remark")
    assert (tag, attrs["rows"], attrs["placeholder"]) == ("textarea", "6", "请填写")
    assert "第一行</textarea>" in html
    assert _by_id(html, "id_email")[1] == {
        "type": "hidden",
        "name": "email",
        "id": "id_email",
        "value": "a@b.cn",
    }
    assert _by_id(html, "id_name")[1]["type"] == "password"
    assert "secret" not in html


def test_read_only_schema_field_is_shown_but_not_editable() -> None:
    schema = {
        "type": "object",
        "properties": {
            "agreement_no": {"type": "string", "readOnly": True},
            "payment": {"enum": ["cash", "loan"], "readOnly": True},
        },
    }
    html = render_form(schema, data={"agreement_no": "RG-001", "payment": "cash"})
    assert "readonly" in _by_id(html, "id_agreement_no")[1]
    assert _by_id(html, "id_agreement_no")[1]["value"] == "RG-001"
    assert "disabled" in _by_id(html, "id_payment")[1]


def test_readonly_form_disables_every_choice_and_requires_nothing() -> None:
    html = render_form(SCHEMA, {"is_employee": {"ui:autofocus": True}}, {"name": "张三"}, readonly=True)
    for tag, attrs in _elements(html):
        if tag in ("input", "select", "textarea"):
            assert "readonly" in attrs or "disabled" in attrs, attrs
            assert "required" not in attrs


def test_ui_readonly_makes_a_text_input_readonly() -> None:
    html = render_form(SCHEMA, {"mobile": {"ui:readonly": True}})
    assert "readonly" in _by_id(html, "id_mobile")[1]


def test_prefix_goes_into_names_and_ids() -> None:
    html = render_form(SCHEMA, prefix="t1-")
    city = _by_id(html, "id_t1-address__city")[1]
    assert city["name"] == "t1-address.city"


def test_date_time_value_is_shown_in_local_time() -> None:
    schema = {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}}
    html = render_form(schema, data={"at": "2025-05-01T01:30:00Z"})
    attrs = _by_id(html, "id_at")[1]
    assert (attrs["type"], attrs["value"]) == ("datetime-local", "2025-05-01T09:30")


def test_array_of_objects_renders_indexed_rows_plus_a_blank_one() -> None:
    schema = {
        "type": "object",
        "properties": {
            "contacts": {
                "type": "array",
                "title": "家庭成员",
                "items": {"type": "object", "properties": {"name": {"type": "string", "title": "姓名"}}},
            }
        },
    }
    html = render_form(schema, data={"contacts": [{"name": "李四"}]}, errors={"contacts.0.name": ["太短"]})
    first = _by_id(html, "id_contacts__0__name")[1]
    assert (first["name"], first["value"]) == ("contacts.0.name", "李四")
    assert "is-invalid" in _classes(first)
    assert _by_id(html, "id_contacts__1__name")[1]["name"] == "contacts.1.name"


def test_odd_definitions_render_without_raising() -> None:
    assert render_form(None) == ""  # type: ignore[arg-type]
    schema = {"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}, "b": 5}}
    html = render_form(schema, {"ui:order": "nonsense", "a": 3}, data=[], errors={"a": "坏"})  # type: ignore[arg-type]
    assert "is-invalid" in _classes(_by_id(html, "id_a")[1])


def test_text_with_a_max_length_shows_a_counter_red_when_over() -> None:
    html = render_form(SCHEMA, {"name": {"ui:widget": "textarea"}}, {"name": "张三"})
    tag, attrs = _by_id(html, "id_name_count")
    assert (tag, attrs["data-count-for"], attrs["data-max"]) == ("div", "id_name", "50")
    assert 'data-max="50">2/50</div>' in html and "text-danger" not in _classes(attrs)
    over = render_form(SCHEMA, data={"name": "渗" * 51})
    assert "text-danger" in _classes(_by_id(over, "id_name_count")[1]) and "51/50" in over
    assert 'value="' + "渗" * 51 + '"' in over  # shown whole, for the person to shorten
    assert "_count" not in render_form(SCHEMA, readonly=True)  # nothing to type, nothing to count
    assert "id_email_count" not in html  # no maxLength, no counter


def test_only_a_checkbox_that_must_be_ticked_has_a_star() -> None:
    schema = {
        "type": "object",
        "required": ["needs_payment", "agreed"],
        "properties": {
            "needs_payment": {"type": "boolean", "title": "需要赔付"},
            "agreed": {"type": "boolean", "title": "已阅读并同意", "const": True},
        },
    }
    html = render_form(schema)
    assert 'for="id_needs_payment">需要赔付</label>' in html
    assert 'for="id_agreed">已阅读并同意<span class="text-danger' in html


PARTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["result"],
    "properties": {
        "customer_name": {"type": "string", "title": "客户姓名", "readOnly": True},
        "issue_class": {
            "type": "string",
            "title": "问题分类",
            "readOnly": True,
            "oneOf": [{"const": "construction_quality", "title": "工程质量"}],
        },
        "leader_instructions": {"type": "string", "title": "领导处置指示", "readOnly": True},
        "paid": {"type": "number", "title": "已赔付(元)", "readOnly": True},
        "reopened": {"type": "boolean", "title": "重新打开过", "readOnly": True},
        "rooms": {"type": "array", "title": "房间", "readOnly": True, "items": {"type": "string"}},
        "result": {"type": "string", "title": "处理结果", "maxLength": 200},
        "token": {"type": "string"},
    },
}
PARTS_DATA = {
    "customer_name": "张三",
    "issue_class": "construction_quality",
    "leader_instructions": "",
    "paid": 2500000.0,
    "reopened": False,
    "rooms": ["1502", "1503"],
}


def test_parts_draw_the_inputs_and_give_read_only_values_as_rows_without_the_empty_ones() -> None:
    with translation.override("zh-hans"):
        parts = render_form_parts(PARTS_SCHEMA, {"token": {"ui:widget": "hidden"}}, PARTS_DATA)
    rows = {row.key: (row.label, row.text) for row in parts.context}
    assert list(rows) == ["customer_name", "issue_class", "paid", "reopened", "rooms"]  # form order
    assert rows["customer_name"] == ("客户姓名", "张三")
    assert rows["issue_class"] == ("问题分类", "工程质量")
    assert rows["paid"] == ("已赔付(元)", "2500000")
    assert rows["reopened"][1] == "否" and rows["rooms"][1] == "1502、1503"
    assert "leader_instructions" not in rows  # empty: left out
    assert parts.input_count == 1  # 处理结果; the hidden token is not a field to fill in
    assert (
        'name="result"' in parts.inputs and '<input id="id_token" name="token" type="hidden">' in parts.inputs
    )
    assert 'name="customer_name"' not in parts.inputs and "readonly" not in parts.inputs


def test_parts_of_a_read_only_form_are_all_context_and_a_caller_may_word_values() -> None:
    def money(key: str, node: dict[str, Any], value: Any) -> str | None:
        return f"¥{value:,.2f}" if key == "paid" else None

    parts = render_form_parts(
        PARTS_SCHEMA, None, {**PARTS_DATA, "result": "已修复"}, readonly=True, value_text=money
    )
    rows = {row.key: row.text for row in parts.context}
    assert rows["result"] == "已修复" and rows["paid"] == "¥2,500,000.00"
    assert rows["issue_class"] == "工程质量"  # choices keep their titles whatever the caller says
    assert parts.input_count == 0 and "<input" not in parts.inputs and "<textarea" not in parts.inputs


def test_parts_put_errors_of_a_read_only_field_in_the_alert() -> None:
    parts = render_form_parts(
        PARTS_SCHEMA, None, PARTS_DATA, {"customer_name": ["不能修改"], "result": ["必填"]}
    )
    assert parts.inputs.startswith('<div class="alert alert-danger" role="alert">')
    assert "客户姓名: 不能修改" in parts.inputs and 'id="id_result_error"' in parts.inputs
