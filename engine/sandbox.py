"""Restricted execution of diagram code: script tasks, pre/post scripts, gateway conditions,
timer and service-parameter expressions.

SpiffWorkflow `exec`s full Python by default (see ../shared/SPIFF.md). Here every piece of
diagram code is compiled with RestrictedPython and a policy of ours on top:

- no `import`, no class definitions, no names or attributes starting with `_`
  (blocks `().__class__.__base__.__subclasses__()`), no `open`, `eval`, `exec`, `getattr`;
- a budget per evaluation: every loop iteration and function call ticks a counter that checks a
  wall-clock deadline, so `while True: pass` ends with `ScriptTimeout` instead of hanging a worker;
- operations that can build huge objects in one C call (`**`, `*`, `<<`, `str.ljust` and friends,
  `range`) are size-checked.

`check_code` is what deploy-time lint calls; `SandboxEnvironment` is what the engine runs with.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from types import CodeType, ModuleType
from typing import Any, Literal

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from RestrictedPython.PrintCollector import PrintCollector
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import clock

MAX_ITERATIONS = 1_000_000
MAX_SEQUENCE = 100_000
MAX_INT_BITS = 4096
DEFAULT_TIME_LIMIT_S = 0.2

Mode = Literal["exec", "eval"]


class ScriptRuleError(Exception):
    """Diagram code broke a sandbox rule (at compile time or while running)."""


class ScriptTimeout(ScriptRuleError):
    """Diagram code ran past its time or iteration budget."""


@dataclass(frozen=True)
class CodeProblem:
    line: int
    message: str


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus: no imports or classes; ticks in loops and calls; guarded ops."""

    def visit_Import(self, node: ast.Import) -> ast.AST:
        self.error(node, "import is not allowed in diagram code")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        self.error(node, "import is not allowed in diagram code")
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.error(node, "class definitions are not allowed in diagram code")
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        self.error(node, "async functions are not allowed in diagram code")
        return node

    def visit_Global(self, node: ast.Global) -> ast.AST:
        self.error(node, "global is not allowed in diagram code")
        return node

    def visit_While(self, node: ast.While) -> ast.AST:
        node = self.node_contents_visit(node)
        node.body.insert(0, _tick_statement(node))
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST | Iterable[ast.AST] | None:
        new = super().visit_FunctionDef(node)
        if isinstance(new, ast.FunctionDef):
            new.body.insert(0, _tick_statement(new))
        return new

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST | Iterable[ast.AST] | None:
        new = super().visit_Lambda(node)
        if isinstance(new, ast.Lambda):
            call = ast.Call(func=ast.Name("_tick_", ast.Load()), args=[new.body], keywords=[])
            new.body = ast.fix_missing_locations(ast.copy_location(call, new.body))
        return new

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        symbol = _GUARDED_BINOPS.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(
            func=ast.Name("_binop_", ast.Load()),
            args=[ast.Constant(symbol), node.left, node.right],
            keywords=[],
        )
        ast.copy_location(call, node)
        return ast.fix_missing_locations(call)


_GUARDED_BINOPS: dict[type, str] = {ast.Pow: "**", ast.Mult: "*", ast.LShift: "<<", ast.Mod: "%"}
_PERCENT_WIDTH = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _tick_statement(node: ast.AST) -> ast.stmt:
    stmt = ast.Expr(ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[]))
    ast.copy_location(stmt, node)
    ast.fix_missing_locations(stmt)
    return stmt


@lru_cache(maxsize=4096)
def _compile(source: str, mode: Mode) -> tuple[CodeType | None, tuple[str, ...]]:
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(source, filename="<diagram>", policy=_Policy)
    return result.code, tuple(result.errors)


def _problem_from_message(message: str) -> CodeProblem:
    # RestrictedPython formats errors as "Line 3: ..." (policy) or "Line 3: SyntaxError: ..." (parser).
    line = 0
    text = message
    if message.startswith("Line "):
        head, _, rest = message.partition(":")
        try:
            line = int(head.removeprefix("Line ").strip())
        except ValueError:
            line = 0
        text = rest.strip()
    return CodeProblem(line=line, message=text)


def check_code(source: str, mode: Mode = "exec") -> list[CodeProblem]:
    """Problems that keep `source` from running in the sandbox (empty list when it may run)."""
    code, errors = _compile(source, mode)
    return [_problem_from_message(e) for e in errors] if code is None else []


def compile_code(source: str, mode: Mode) -> CodeType:
    code, errors = _compile(source, mode)
    if code is None:
        raise ScriptRuleError("; ".join(errors))
    return code


# --- runtime guards ---------------------------------------------------------------------------


class _Budget:
    __slots__ = ("count", "deadline")

    def __init__(self, seconds: float) -> None:
        self.count = 0
        self.deadline = time.monotonic() + seconds

    def tick(self, value: Any = None) -> Any:
        self.count += 1
        if self.count > MAX_ITERATIONS:
            raise ScriptTimeout(f"diagram code ran more than {MAX_ITERATIONS} loop rounds or calls")
        if self.count % 256 == 0 and time.monotonic() > self.deadline:
            raise ScriptTimeout("diagram code ran past its time limit")
        return value

    def iterate(self, obj: Iterable[Any]) -> Iterator[Any]:
        for item in obj:
            self.tick()
            yield item


def _size(value: Any) -> int:
    if isinstance(value, (str, bytes, list, tuple)):
        return len(value)
    return 1


def _check_percent_format(template: str) -> None:
    for width, precision in _PERCENT_WIDTH.findall(template):
        for part in (width, precision):
            if part == "*" or (part and int(part) > 1000):
                raise ScriptRuleError("%-format width or precision is too large")


def _check_binop(symbol: str, left: Any, right: Any) -> Any:
    if symbol == "%":
        if isinstance(left, str):
            _check_percent_format(left)
        return operator.mod(left, right)
    if symbol == "**":
        big = isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1
        if big and right * abs(left).bit_length() > MAX_INT_BITS:
            raise ScriptRuleError("result of ** is too large")
        return operator.pow(left, right)
    if symbol == "<<":
        if isinstance(right, int) and right > MAX_INT_BITS:
            raise ScriptRuleError("result of << is too large")
        return operator.lshift(left, right)
    # "*": repetition of sequences can build huge objects in one step.
    if isinstance(left, int) and not isinstance(right, int):
        left, right = right, left
    if isinstance(right, int) and not isinstance(left, (int, float, bool)):
        if _size(left) * max(right, 0) > MAX_SEQUENCE:
            raise ScriptRuleError("result of * is too large")
    elif (
        isinstance(left, int)
        and isinstance(right, int)
        and left.bit_length() + right.bit_length() > MAX_INT_BITS
    ):
        raise ScriptRuleError("result of * is too large")
    return operator.mul(left, right)


_INPLACE = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
    ">>=": operator.irshift,
}


def _inplacevar(op: str, left: Any, right: Any) -> Any:
    if op in ("*=", "**=", "<<="):
        return _check_binop(op[:-1], left, right)
    func = _INPLACE.get(op)
    if func is None:
        raise ScriptRuleError(f"operator {op} is not allowed")
    result = func(left, right)
    if _size(result) > MAX_SEQUENCE:
        raise ScriptRuleError("result is too large")
    return result


_BLOCKED_ATTRIBUTES = frozenset(
    {"format", "format_map", "ljust", "rjust", "center", "zfill", "expandtabs", "mro", "gi_frame", "f_back"}
)


def _getattr(obj: Any, name: str, default: Any = None) -> Any:
    if name in _BLOCKED_ATTRIBUTES or (isinstance(obj, ModuleType) and obj is not math):
        raise ScriptRuleError(f"attribute {name!r} is not allowed in diagram code")
    return safer_getattr(obj, name, default)


def _range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_SEQUENCE:
        raise ScriptRuleError(f"range of more than {MAX_SEQUENCE} items")
    return result


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _now_iso() -> str:
    """The engine clock as an ISO 8601 UTC string."""
    return clock.now().isoformat()


def _builtins() -> dict[str, Any]:
    import builtins

    names = [
        "abs", "all", "any", "bool", "chr", "dict", "divmod", "enumerate", "filter", "float", "int",
        "isinstance", "len", "list", "map", "max", "min", "ord", "reversed", "round", "set", "sorted",
        "str", "sum", "tuple", "zip", "None", "True", "False",
        "ArithmeticError", "Exception", "IndexError", "KeyError", "LookupError", "TypeError",
        "ValueError", "ZeroDivisionError",
    ]  # fmt: skip
    result = {name: getattr(builtins, name) for name in names}
    result["range"] = _range
    return result


SAFE_BUILTINS = _builtins()


def sandbox_globals(budget: _Budget) -> dict[str, Any]:
    """Fresh globals for one evaluation: guarded builtins and the hooks RestrictedPython calls."""
    return {
        "__builtins__": SAFE_BUILTINS,
        "__name__": "diagram",
        "__metaclass__": type,
        "_getattr_": _getattr,
        "_getitem_": operator.getitem,
        "_getiter_": budget.iterate,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
        "_apply_": _apply,
        "_print_": PrintCollector,
        "_tick_": budget.tick,
        "_binop_": _check_binop,
        "math": math,
        "now_iso": _now_iso,
    }


_HELPER_NAMES = frozenset(sandbox_globals(_Budget(0)).keys())


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment that runs every expression and script in the sandbox.

    Task data is the namespace; after a script, new or changed plain values are written back,
    deleted names are removed, and functions or helpers never reach the task data.
    """

    def __init__(self, time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> None:
        super().__init__({})
        self.time_limit_s = time_limit_s

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict | None = None) -> Any:
        code = compile_code(expression.strip(), "eval")
        namespace = sandbox_globals(_Budget(self.time_limit_s))
        namespace.update(external_context or {})
        namespace.update(context)
        return eval(code, namespace)

    def execute(self, script: str, context: dict[str, Any], external_context: dict | None = None) -> bool:
        code = compile_code(script, "exec")
        helpers = sandbox_globals(_Budget(self.time_limit_s))
        helpers.update(external_context or {})
        namespace = dict(helpers)
        namespace.update(context)
        exec(code, namespace)
        for name in list(context):
            if name not in namespace:
                del context[name]
        for name, value in namespace.items():
            if name in helpers and value is helpers[name]:
                continue
            if name.startswith("_") or callable(value) or isinstance(value, ModuleType):
                continue
            context[name] = value
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> str:
        raise NotImplementedError("service tasks are run by engine.services, never inline")
