"""Cross-field rules ("x-rules"): run with the field rules, read the flow's values, never eval, and
are refused at deploy when they cannot be used; enum/const failures name what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from forms import check_schema, validate_submission

LOAN: dict[str, Any] = {
    "type": "object",
    "required": ["bank"],
    "properties": {
        "bank": {"type": "string", "title": "按揭银行"},
        "loan": {"type": "number", "title": "银行按揭总额", "minimum": 0.01},
        "price": {"type": "string", "title": "成交总价", "readOnly": True},
    },
    "x-rules": [
        {
            "id": "loan_within_price",
            "assert": "loan <= number(flow.total_price) - flow.deposit_due",
            "fields": ["loan"],
            "values": {"limit": "number(flow.total_price) - flow.deposit_due"},
            "message": "银行按揭总额不能超过 {limit} 元",
        }
    ],
}
FLOW = {"total_price": "3676120.00", "deposit_due": 50000.0}


def test_a_rule_reads_the_flow_and_reports_with_the_field_rules_at_once() -> None:
    errors = validate_submission(LOAN, {"loan": 99999999}, flow=FLOW)
    assert errors == {"bank": ["This field is required."], "loan": ["银行按揭总额不能超过 3,626,120 元"]}
    assert validate_submission(LOAN, {"bank": "建行", "loan": 3626120}, flow=FLOW) == {}


def test_a_rule_says_nothing_when_what_it_reads_is_missing_or_already_wrong() -> None:
    assert validate_submission(LOAN, {"bank": "建行", "loan": 99999999}) == {}  # no flow values
    assert validate_submission(LOAN, {"bank": "建行", "loan": "x"}, flow=FLOW) == {
        "loan": ["Enter a number."]
    }
    assert validate_submission(LOAN, {"bank": "建行"}, flow=FLOW) == {}


def test_dates_and_today() -> None:
    schema = {
        "type": "object",
        "properties": {"signed": {"type": "string", "format": "date"}},
        "x-rules": [{"assert": "date(signed) <= today", "fields": ["signed"], "message": "不能晚于今天"}],
    }
    assert validate_submission(schema, {"signed": "2026-12-08"}, today="2026-12-07") == {
        "signed": ["不能晚于今天"]
    }
    assert validate_submission(schema, {"signed": "2026-12-07"}, today="2026-12-07") == {}


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("__import__('os').system('x')", "only the functions"),
        ("loan.__class__ == 1", "only flow.<name> may use a dot"),
        ("[x for x in flow]", "not allowed"),
        ("loan <=", "not a valid expression"),
        ("price > 0", "read-only field 'price'; read it as flow.price"),
        ("nothing > 0", "unknown field 'nothing'"),
        ("loan + 1", "must be a comparison"),
    ],
)
def test_deploy_refuses_a_bad_rule_naming_it(expression: str, problem: str) -> None:
    schema = {**LOAN, "x-rules": [{**LOAN["x-rules"][0], "assert": expression}]}
    problems = check_schema(schema)
    assert len(problems) == 1 and problems[0].startswith("Rule 1 'loan_within_price'"), problems
    assert problem in problems[0]


def test_deploy_checks_fields_and_placeholders() -> None:
    rule = {"assert": "loan > 0", "fields": ["ghost"], "message": "{missing}", "when": "x"}
    problems = check_schema({**LOAN, "x-rules": [rule]})
    assert any("unknown key 'when'" in p for p in problems)
    assert any("unknown field 'ghost'" in p for p in problems)
    assert any("{missing}" in p for p in problems)
    assert check_schema(LOAN) == []


def test_a_rule_that_reaches_the_server_broken_is_a_misconfigured_form_not_an_exception() -> None:
    schema = {**LOAN, "x-rules": [{"assert": "open('x')", "fields": ["loan"], "message": "m"}]}
    errors = validate_submission(schema, {"bank": "b", "loan": 1}, flow=FLOW)
    assert list(errors) == ["non_field_errors"]


INTAKE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "issue_type": {
            "type": "string",
            "title": "问题类型",
            "oneOf": [
                {"const": "complaint", "title": "投诉"},
                {"const": "consultation", "title": "咨询"},
                {"const": "suggestion", "title": "建议"},
            ],
        },
        "answered_on_spot": {"type": "boolean", "title": "咨询已当场答复"},
        "done": {"type": "boolean", "title": "已完成", "const": True},
    },
    "allOf": [
        {
            "if": {
                "properties": {"issue_type": {"not": {"const": "consultation"}}},
                "required": ["issue_type"],
            },
            "then": {"properties": {"answered_on_spot": {"const": False}}},
        }
    ],
}


@pytest.mark.usefixtures("zh")
def test_a_const_of_an_if_then_says_which_condition_allows_the_value() -> None:
    errors = validate_submission(INTAKE, {"issue_type": "complaint", "answered_on_spot": True})
    assert errors == {"answered_on_spot": ["“咨询已当场答复”只适用于问题类型为“咨询”时。"]}


@pytest.mark.usefixtures("zh")
def test_enum_and_const_failures_name_what_is_allowed() -> None:
    errors = validate_submission(INTAKE, {"issue_type": "other", "done": False})
    assert errors == {
        "issue_type": ["请从以下选项中选择：“投诉”、“咨询”、“建议”。"],
        "done": ["请勾选此项。"],
    }
