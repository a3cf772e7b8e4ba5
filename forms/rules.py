"""Cross-field rules of a form: the "x-rules" keyword at the top of a form schema.

A rule compares fields of the submission with each other and with values of the flow, e.g. a
loan that must not exceed the contract price less the deposit:

    "x-rules": [{
      "id": "loan_within_price",
      "assert": "commercial_loan_total <= number(flow.total_price) - flow.deposit_due",
      "fields": ["commercial_loan_total"],
      "values": {"limit": "number(flow.total_price) - flow.deposit_due"},
      "message": "银行按揭总额不能超过成交总价减定金({limit} 元)"
    }]

- "assert" is an expression that must hold. A bare name is a field of the submission (never a
  read-only one: what a person posts for those is ignored, so a rule reads them as flow values);
  `flow.<key>` is a value of the flow's data (the task data before this submission); `today` is the
  site's calendar date (ISO text). Literals: numbers, 'text', true/false (True/False), tuples for
  `in`. Operators: and or not, == != < <= > >=, in / not in, + - * /. Functions: number(x) (an
  amount written as text, such as the flow's "3676120.00"), date(x), filled(x), min, max, abs.
- A rule applies only when every value it reads is there and usable: an empty field, a field
  that already has an error, a missing flow value, a text where a number is needed, a division by
  zero, all make the rule "not applicable" (the field rules already say what is wrong).
- "fields" are the fields the message is shown beside (none: a message for the whole form).
- "message" may use {name} for a named value of "values" (an expression like "assert").

The expression is parsed with Python's `ast` module and walked here, node by node, against a
short list of allowed nodes: nothing is ever `eval`ed, no attribute but `flow.<key>` and no
function but the ones above can be reached, and only form authors write rules (forms.lint
refuses a bad rule at deploy). Numbers are compared as Decimal (amounts such as 0.07 are exact).
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

KEYWORD = "x-rules"
FLOW = "flow"
TODAY = "today"
RULE_KEYS = frozenset({"id", "assert", "fields", "values", "message"})
MAX_TEXT = 500
MAX_NODES = 120
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

_BOOL_OPS = (ast.And, ast.Or)
_UNARY_OPS = (ast.Not, ast.USub, ast.UAdd)
_BIN_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_COMPARE_OPS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)
_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.UnaryOp,
    ast.BinOp,
    ast.Compare,
    ast.Name,
    ast.Attribute,
    ast.Constant,
    ast.Tuple,
    ast.List,
    ast.Call,
    ast.Load,
    *_BOOL_OPS,
    *_UNARY_OPS,
    *_BIN_OPS,
    *_COMPARE_OPS,
)
# JSON spellings of the literals, for authors who write JSON rather than Python.
_LITERALS: dict[str, Any] = {"true": True, "false": False, "True": True, "False": False}


class RuleProblem(ValueError):
    """A rule that cannot be used (bad syntax, a name or function that is not allowed)."""


class _NotApplicable(Exception):
    """A value the rule reads is missing or unusable: the rule says nothing."""


class _Missing:
    def __repr__(self) -> str:
        return "missing"


MISSING = _Missing()


# --- parsing ---------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def parse(text: str) -> ast.Expression:
    """The checked syntax tree of a rule expression; RuleProblem when it is not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise RuleProblem("the expression is empty")
    if len(text) > MAX_TEXT:
        raise RuleProblem(f"the expression is longer than {MAX_TEXT} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise RuleProblem(f"it is not a valid expression ({exc.msg})") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise RuleProblem(f"the expression has more than {MAX_NODES} parts")
    for node in nodes:
        if not isinstance(node, _ALLOWED_NODES):
            raise RuleProblem(f"'{type(node).__name__}' is not allowed in a rule")
        if isinstance(node, ast.Attribute) and not (
            isinstance(node.value, ast.Name) and node.value.id == FLOW
        ):
            raise RuleProblem("only flow.<name> may use a dot")
        if isinstance(node, ast.Name) and node.id == FLOW and not _is_attribute_base(tree, node):
            raise RuleProblem("'flow' needs a value name, as in flow.total_price")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise RuleProblem(f"only the functions {', '.join(sorted(FUNCTIONS))} may be called")
            if node.keywords:
                raise RuleProblem("functions take no named arguments")
            low, high = FUNCTIONS[node.func.id][1]
            if not low <= len(node.args) <= high:
                raise RuleProblem(f"{node.func.id}() takes a different number of values")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (bool, int, float, str)):
            raise RuleProblem(f"the literal {node.value!r} is not allowed")
    return tree


def _is_attribute_base(tree: ast.AST, name: ast.Name) -> bool:
    return any(isinstance(node, ast.Attribute) and node.value is name for node in ast.walk(tree))


def names(tree: ast.AST) -> tuple[set[str], set[str]]:
    """(field names, flow keys) an expression reads; `today` and function names excluded."""
    fields: set[str] = set()
    flow: set[str] = set()
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    bases = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            flow.add(node.attr)
        elif (
            isinstance(node, ast.Name)
            and id(node) not in called
            and id(node) not in bases
            and node.id not in _LITERALS
            and node.id != TODAY
        ):
            fields.add(node.id)
    return fields, flow


def placeholders(message: str) -> set[str]:
    return set(_PLACEHOLDER.findall(message))


# --- values ----------------------------------------------------------------------------------


def _value(raw: Any) -> Any:
    """A JSON value as the rules see it: numbers as Decimal, blank as MISSING."""
    if raw is None or raw is MISSING or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return MISSING
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)):
        try:
            number = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            raise _NotApplicable from None
        if not number.is_finite():
            raise _NotApplicable
        return number
    if isinstance(raw, str):
        return raw
    if isinstance(raw, list):
        return tuple(_value(item) for item in raw)
    raise _NotApplicable  # objects: rules compare plain values


def _present(value: Any) -> Any:
    if value is MISSING:
        raise _NotApplicable
    return value


def _number(value: Any) -> Decimal:
    value = _present(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise _NotApplicable from None
        if number.is_finite():
            return number
    raise _NotApplicable


def _date(value: Any) -> dt.date:
    value = _present(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise _NotApplicable from None
    raise _NotApplicable


def _filled(value: Any) -> bool:
    return value is not MISSING


def _extreme(pick: Callable[[Iterable[Any]], Any]) -> Callable[..., Any]:
    def run(*values: Any) -> Any:
        present = [_present(v) for v in values]
        if len({type(v) for v in present}) != 1 or isinstance(present[0], (bool, tuple)):
            raise _NotApplicable
        return pick(present)

    return run


def _abs(value: Any) -> Decimal:
    return abs(_number(value))


FUNCTIONS: dict[str, tuple[Callable[..., Any], tuple[int, int]]] = {
    "number": (_number, (1, 1)),
    "date": (_date, (1, 1)),
    "filled": (_filled, (1, 1)),
    "min": (_extreme(min), (2, 8)),
    "max": (_extreme(max), (2, 8)),
    "abs": (_abs, (1, 1)),
}


# --- evaluation ------------------------------------------------------------------------------


@dataclass
class Scope:
    """What a rule reads: the submission, the flow's data, today's date, and the fields it must
    not read (read-only ones, and those with errors)."""

    data: Mapping[str, Any]
    flow: Mapping[str, Any]
    today: str | None
    unusable: set[str]

    def field(self, name: str) -> Any:
        if name in self.unusable:
            raise _NotApplicable
        return _value(self.data.get(name))

    def flow_value(self, name: str) -> Any:
        return _value(self.flow.get(name))


def _same_kind(left: Any, right: Any) -> bool:
    kinds = (bool, Decimal, str, dt.date, tuple)
    return any(isinstance(left, k) and isinstance(right, k) for k in kinds)


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, (ast.In, ast.NotIn)):
        if not isinstance(right, tuple):
            raise _NotApplicable
        found = any(_same_kind(_present(left), item) and left == item for item in right)
        return found if isinstance(op, ast.In) else not found
    left, right = _present(left), _present(right)
    if isinstance(op, (ast.Eq, ast.NotEq)):
        equal = _same_kind(left, right) and left == right
        return equal if isinstance(op, ast.Eq) else not equal
    if not _same_kind(left, right) or isinstance(left, (bool, tuple)):
        raise _NotApplicable
    if isinstance(op, ast.Lt):
        return bool(left < right)
    if isinstance(op, ast.LtE):
        return bool(left <= right)
    if isinstance(op, ast.Gt):
        return bool(left > right)
    return bool(left >= right)


def _truth(value: Any) -> bool:
    value = _present(value)
    if not isinstance(value, bool):
        raise _NotApplicable
    return value


def evaluate(node: ast.AST, scope: Scope) -> Any:
    """The value of a parsed expression; _NotApplicable when something it reads is unusable."""
    if isinstance(node, ast.Expression):
        return evaluate(node.body, scope)
    if isinstance(node, ast.Constant):
        return _value(node.value) if not isinstance(node.value, str) else node.value
    if isinstance(node, ast.Name):
        if node.id in _LITERALS:
            return _LITERALS[node.id]
        if node.id == TODAY:
            return _date(scope.today) if scope.today else MISSING
        return scope.field(node.id)
    if isinstance(node, ast.Attribute):
        return scope.flow_value(node.attr)
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(evaluate(item, scope) for item in node.elts)
    if isinstance(node, ast.BoolOp):
        want_all = isinstance(node.op, ast.And)
        for item in node.values:
            if _truth(evaluate(item, scope)) != want_all:
                return not want_all
        return want_all
    if isinstance(node, ast.UnaryOp):
        operand = evaluate(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return not _truth(operand)
        number = _number(operand) if not isinstance(operand, bool) else _fail()
        return -number if isinstance(node.op, ast.USub) else number
    if isinstance(node, ast.BinOp):
        left, right = evaluate(node.left, scope), evaluate(node.right, scope)
        if isinstance(left, bool) or isinstance(right, bool):
            raise _NotApplicable
        a, b = _present(left), _present(right)
        if not isinstance(a, Decimal) or not isinstance(b, Decimal):
            raise _NotApplicable
        with localcontext() as ctx:
            ctx.prec = 34
            try:
                if isinstance(node.op, ast.Add):
                    return a + b
                if isinstance(node.op, ast.Sub):
                    return a - b
                if isinstance(node.op, ast.Mult):
                    return a * b
                return a / b
            except ArithmeticError:  # division by zero, overflow
                raise _NotApplicable from None
    if isinstance(node, ast.Compare):
        left = evaluate(node.left, scope)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = evaluate(comparator, scope)
            if not _compare(op, left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        func = FUNCTIONS[node.func.id][0]
        return func(*(evaluate(arg, scope) for arg in node.args))
    raise _NotApplicable  # parse() lets nothing else through


def _fail() -> Decimal:
    raise _NotApplicable


def display(value: Any) -> str:
    """A value in a message: amounts with thousands separators, dates as YYYY-MM-DD."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return f"{value.quantize(Decimal(1)):,}"
        return f"{value.quantize(Decimal('0.01')):,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is MISSING:
        return ""
    return str(value)


# --- running the rules of a form -------------------------------------------------------------


def rules_of(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = schema.get(KEYWORD)
    return [rule for rule in found if isinstance(rule, dict)] if isinstance(found, list) else []


def check(
    schema: Mapping[str, Any],
    data: Mapping[str, Any],
    *,
    flow: Mapping[str, Any] | None = None,
    today: str | None = None,
    unusable: Iterable[str] = (),
) -> dict[str, list[str]]:
    """Messages of the rules that fail, keyed by field ("non_field_errors" when a rule names none).

    Raises RuleProblem for a rule that cannot be parsed (forms.lint refuses those at deploy).
    """
    raw_props = schema.get("properties")
    props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
    read_only = {
        name for name, prop in props.items() if isinstance(prop, dict) and prop.get("readOnly") is True
    }
    scope = Scope(data=data, flow=flow or {}, today=today, unusable=set(unusable) | read_only)
    errors: dict[str, list[str]] = {}
    for rule in rules_of(schema):
        tree = parse(rule.get("assert"))
        fields = [f for f in rule.get("fields") or [] if isinstance(f, str)]
        if any(f in scope.unusable for f in fields):
            continue
        try:
            holds = evaluate(tree, scope)
        except _NotApplicable:
            continue
        if holds is not False:
            continue  # True, or not a yes/no answer (lint refuses such rules)
        message = _message(rule, scope)
        for key in fields or ["non_field_errors"]:
            if message not in errors.setdefault(key, []):
                errors[key].append(message)
    return errors


def _message(rule: Mapping[str, Any], scope: Scope) -> str:
    text = str(rule.get("message") or "")
    raw_values = rule.get("values")
    values: dict[str, Any] = raw_values if isinstance(raw_values, dict) else {}

    def fill(match: re.Match[str]) -> str:
        expression = values.get(match.group(1))
        if not isinstance(expression, str):
            return match.group(0)
        try:
            return display(evaluate(parse(expression), scope))
        except (_NotApplicable, RuleProblem):
            return ""

    return _PLACEHOLDER.sub(fill, text)
