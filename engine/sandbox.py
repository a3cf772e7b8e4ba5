"""Restricted execution of diagram code: script tasks, pre/post scripts, gateway conditions,
timer and service-parameter expressions.

SpiffWorkflow `exec`s full Python by default (see ../shared/SPIFF.md). Here every piece of
diagram code is compiled with RestrictedPython and a policy of ours on top:

- no `import`, no class definitions, no names or attributes starting with `_`
  (blocks `().__class__.__base__.__subclasses__()`), no `open`, `eval`, `exec`, `getattr`;
- a budget per evaluation: every statement, loop round, call and iterated item ticks a counter
  that checks a wall-clock deadline (straight-line code too), so `while True: pass` ends with
  `ScriptTimeout` instead of hanging a worker; resident memory growth is checked on the same ticks;
- every operation that can grow a value is size-checked before it builds it: binary and augmented
  `+ * ** << %`, f-strings, `str()`/`print`, `join`, `replace`, comprehensions, the `list`/`tuple`/
  `set`/`dict` constructors, `sorted`, `sum`, `append`/`extend`/`update`/slice assignment, `range`,
  `math.factorial`/`comb`/`perm`/`prod`/`lcm` (`str.format`, `ljust` and friends are blocked);
- what a script writes back to the task data is bounded (MAX_TASK_DATA).

Every refusal names its limit; the engine turns it into a script incident (engine/runner.py).

`check_code` is what deploy-time lint calls; `SandboxEnvironment` is what the engine runs with.
"""

from __future__ import annotations

import ast
import math
import operator
import os
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

MAX_ITERATIONS = 1_000_000  # ticks: statements, loop rounds, calls and iterated items
MAX_SEQUENCE = 100_000  # items or characters of any value one operation builds
MAX_INT_BITS = 4096
MAX_FORMAT_WIDTH = 1000  # width or precision in %-formats and f-strings
MAX_TASK_DATA = 1_000_000  # characters (about) of the data a script writes back, as text
MAX_MEMORY_GROWTH = 64 * 1024 * 1024  # bytes of resident memory one evaluation may add
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
    """RestrictedPython's policy plus: no imports or classes; a tick before every statement and in
    loops and calls; size-guarded operators, f-strings and comprehensions."""

    def visit_Module(self, node: ast.Module) -> ast.AST:
        new = super().visit_Module(node)
        if isinstance(new, ast.Module):
            _insert_statement_ticks(new)
        return node if new is None or not isinstance(new, ast.AST) else new

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

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST | Iterable[ast.AST] | None:
        new = super().visit_Lambda(node)
        if isinstance(new, ast.Lambda):
            new.body = _call("_tick_", new.body, at=new.body)
        return new

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        symbol = _GUARDED_BINOPS.get(type(node.op))
        if symbol is None:
            return node
        return _call("_binop_", ast.Constant(symbol), node.left, node.right, at=node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        # f"{x!r:>{w}}" -> _joined_(f"{_fmt_(x, 114, _joined_(f'>{w}'))}"): every replacement field
        # is size-checked before it is formatted, and so is the whole string.
        node = self.node_contents_visit(node)
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                spec: ast.expr = value.format_spec if value.format_spec is not None else ast.Constant(None)
                value.value = _call("_fmt_", value.value, ast.Constant(value.conversion), spec, at=value)
                value.conversion = -1
                value.format_spec = None
        return _call("_joined_", node, at=node)

    def visit_ListComp(self, node: ast.ListComp) -> ast.AST:
        new = super().visit_ListComp(node)
        return _call("_sized_", new, at=node) if isinstance(new, ast.expr) else node

    def visit_SetComp(self, node: ast.SetComp) -> ast.AST:
        new = super().visit_SetComp(node)
        return _call("_sized_", new, at=node) if isinstance(new, ast.expr) else node

    def visit_DictComp(self, node: ast.DictComp) -> ast.AST:
        new = super().visit_DictComp(node)
        return _call("_sized_", new, at=node) if isinstance(new, ast.expr) else node


_GUARDED_BINOPS: dict[type, str] = {
    ast.Add: "+",
    ast.Pow: "**",
    ast.Mult: "*",
    ast.LShift: "<<",
    ast.Mod: "%",
}
_PERCENT_WIDTH = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


def _call(helper: str, *args: ast.expr, at: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name(helper, ast.Load()), args=list(args), keywords=[])
    ast.copy_location(call, at)
    return ast.fix_missing_locations(call)


def _insert_statement_ticks(tree: ast.AST) -> None:
    """A `_tick_()` before every statement: straight-line code is held to the time limit too."""
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if not isinstance(stmts, list) or not stmts or not isinstance(stmts[0], ast.stmt):
                continue
            ticked: list[ast.stmt] = []
            for stmt in stmts:
                ticked.append(_tick_statement(stmt))
                ticked.append(stmt)
            setattr(node, field, ticked)


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


def _too_large(what: str, size: int, limit: int, name: str) -> ScriptRuleError:
    return ScriptRuleError(f"{what} is too large: {size:,} > {limit:,} ({name})")


_STATM: tuple[int, int] | None = None  # (pid, fd of /proc/<pid>/statm)
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _resident_bytes() -> int:
    """This process's resident memory (0 where /proc is missing: the check is then off)."""
    global _STATM
    pid = os.getpid()
    if _STATM is None or _STATM[0] != pid:  # opened per process: a forked worker has its own
        try:
            _STATM = (pid, os.open("/proc/self/statm", os.O_RDONLY))
        except OSError:
            return 0
    try:
        return int(os.pread(_STATM[1], 64, 0).split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


class _Budget:
    """The budget of one evaluation: steps, wall-clock time and the growth of process memory.

    Every statement, loop round, call and iterated item ticks. The clock is read every 16 ticks
    (and no single step can run long: what one C call may build is size-checked), resident memory
    every 64 ticks, against what it was at the first such check."""

    __slots__ = ("count", "deadline", "memory_base")

    def __init__(self, seconds: float) -> None:
        self.count = 0
        self.deadline = time.monotonic() + seconds
        self.memory_base = -1

    def tick(self, value: Any = None) -> Any:
        self.count += 1
        if self.count & 15 == 0:
            self._check()
        return value

    def _check(self) -> None:
        if self.count > MAX_ITERATIONS:
            raise ScriptTimeout(f"diagram code ran more than {MAX_ITERATIONS:,} steps (MAX_ITERATIONS)")
        if time.monotonic() > self.deadline:
            raise ScriptTimeout("diagram code ran past its time limit (ANJU_SCRIPT_TIME_LIMIT_MS)")
        if self.count & 63 == 0:
            resident = _resident_bytes()
            if self.memory_base < 0:
                self.memory_base = resident
            elif resident - self.memory_base > MAX_MEMORY_GROWTH:
                raise _too_large(
                    "memory taken by diagram code", resident - self.memory_base, MAX_MEMORY_GROWTH,
                    "MAX_MEMORY_GROWTH bytes",
                )  # fmt: skip

    def iterate(self, obj: Iterable[Any]) -> Iterator[Any]:
        for item in obj:
            self.tick()
            yield item


_SIZED = (str, bytes, list, tuple, dict, set, frozenset)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, _SIZED) else 1


def _text_size(value: Any, limit: int) -> int:
    """About how many characters `value` takes as text (str() or JSON); stops counting past `limit`.

    Cheap on scalars; on containers it visits items until the limit is passed, so a list holding
    the same long string 100,000 times is measured (and refused) without being rendered."""
    if isinstance(value, (str, bytes)):
        return len(value) + 3
    if isinstance(value, int):
        return value.bit_length() // 3 + 2
    if value is None or isinstance(value, float):
        return 24
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item) + 3
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 + 2 * len(item)
            if total <= limit:
                stack.extend(item)
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            if total <= limit:
                stack.extend(item.keys())
                stack.extend(item.values())
        else:
            total += 24
        if total > limit:
            break
    return total


def _check_length(what: str, value: Any) -> Any:
    if isinstance(value, _SIZED) and len(value) > MAX_SEQUENCE:
        raise _too_large(what, len(value), MAX_SEQUENCE, "MAX_SEQUENCE items or characters")
    return value


def _check_text(what: str, value: Any) -> None:
    """Refuse to render `value` as text when that text would pass the sequence limit."""
    size = _text_size(value, MAX_SEQUENCE)
    if size > MAX_SEQUENCE:
        raise _too_large(what, size, MAX_SEQUENCE, "MAX_SEQUENCE characters")


def _check_int(what: str, value: Any) -> Any:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise _too_large(what, value.bit_length(), MAX_INT_BITS, "MAX_INT_BITS bits")
    return value


def _check_percent_format(template: str) -> None:
    for width, precision in _PERCENT_WIDTH.findall(template):
        for part in (width, precision):
            if part == "*" or (part and int(part) > MAX_FORMAT_WIDTH):
                raise ScriptRuleError(f"%-format width or precision is larger than {MAX_FORMAT_WIDTH}")


def _check_binop(symbol: str, left: Any, right: Any) -> Any:
    if symbol == "+":
        if isinstance(left, _SIZED) and isinstance(right, _SIZED) and len(left) + len(right) > MAX_SEQUENCE:
            raise _too_large(
                "result of +", len(left) + len(right), MAX_SEQUENCE, "MAX_SEQUENCE items or characters"
            )
        return _check_int("result of +", left + right)
    if symbol == "%":
        if isinstance(left, (str, bytes)):
            _check_percent_format(left if isinstance(left, str) else left.decode("latin-1"))
            _check_text("result of %", (left, right))
            return _check_length("result of %", operator.mod(left, right))
        return operator.mod(left, right)
    if symbol == "**":
        big = isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1
        if big and right * abs(left).bit_length() > MAX_INT_BITS:
            raise _too_large(
                "result of **", right * abs(left).bit_length(), MAX_INT_BITS, "MAX_INT_BITS bits"
            )
        return operator.pow(left, right)
    if symbol == "<<":
        if isinstance(right, int) and right > MAX_INT_BITS:
            raise _too_large("result of <<", right, MAX_INT_BITS, "MAX_INT_BITS bits")
        return operator.lshift(left, right)
    # "*": repetition of sequences can build huge objects in one step.
    if isinstance(left, int) and not isinstance(right, int):
        left, right = right, left
    if isinstance(right, int) and not isinstance(left, (int, float, bool)):
        if _size(left) * max(right, 0) > MAX_SEQUENCE:
            raise _too_large(
                "result of *", _size(left) * right, MAX_SEQUENCE, "MAX_SEQUENCE items or characters"
            )
    elif (
        isinstance(left, int)
        and isinstance(right, int)
        and left.bit_length() + right.bit_length() > MAX_INT_BITS
    ):
        raise _too_large(
            "result of *", left.bit_length() + right.bit_length(), MAX_INT_BITS, "MAX_INT_BITS bits"
        )
    return operator.mul(left, right)


_INPLACE = {
    "-=": operator.isub,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
    ">>=": operator.irshift,
}


def _inplacevar(op: str, left: Any, right: Any) -> Any:
    if op in ("+=", "*=", "**=", "<<=", "%="):
        if op == "+=" and isinstance(left, list) and not isinstance(right, _SIZED):
            right = _check_length("items added by +=", list(right))
        return _check_binop(op[:-1], left, right)
    func = _INPLACE.get(op)
    if func is None:
        raise ScriptRuleError(f"operator {op} is not allowed")
    return _check_int("result", _check_length("result", func(left, right)))


def _fmt(value: Any, conversion: int, spec: Any) -> str:
    """One replacement field of an f-string, size-checked before it is rendered."""
    if spec:
        for digits in _DIGITS.findall(str(spec)):
            if int(digits) > MAX_FORMAT_WIDTH:
                raise ScriptRuleError(f"f-string width or precision is larger than {MAX_FORMAT_WIDTH}")
    if not isinstance(value, str) or len(value) > MAX_SEQUENCE:
        _check_text("f-string value", value)
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("a"):
        value = ascii(value)
    elif conversion == ord("s"):
        value = str(value)
    return format(value, spec or "")


def _joined(value: str) -> str:
    return _check_length("f-string", value)


def _sized(value: Any) -> Any:
    return _check_length("comprehension result", value)


def _sequence(iterable: Any, what: str) -> Any:
    """`iterable` as something with a length, refused past the sequence limit."""
    items = iterable if isinstance(iterable, _SIZED) else list(iterable)
    return _check_length(what, items)


def _join(obj: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def join(iterable: Iterable[Any]) -> Any:
        items, total = [], -len(obj)
        for item in iterable:  # counted while collected: a generator of long strings stops early
            total += len(obj) + (len(item) if isinstance(item, (str, bytes)) else 0)
            if total > MAX_SEQUENCE:
                raise _too_large("result of join", total, MAX_SEQUENCE, "MAX_SEQUENCE characters")
            items.append(item)
        return method(items)

    return join


def _replace(obj: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def replace(old: Any, new: Any, count: int = -1) -> Any:
        found = obj.count(old) if len(old) else len(obj) + 1
        if count >= 0:
            found = min(found, count)
        total = len(obj) + found * (len(new) - len(old))
        if total > MAX_SEQUENCE:
            raise _too_large("result of replace", total, MAX_SEQUENCE, "MAX_SEQUENCE characters")
        return method(old, new, count)

    return replace


def _grow(obj: Any, method: Callable[..., Any], name: str) -> Callable[..., Any]:
    """A container method that adds items, refused when the container would pass the limit."""

    def grow(*args: Any, **kwargs: Any) -> Any:
        added = 1
        if name in ("extend", "update") and args:
            args = (_sequence(args[0], f"items given to {name}"), *args[1:])
            added = len(args[0]) + len(kwargs)
        elif name == "update":
            added = len(kwargs)
        if len(obj) + added > MAX_SEQUENCE:
            raise _too_large(f"result of {name}", len(obj) + added, MAX_SEQUENCE, "MAX_SEQUENCE items")
        return method(*args, **kwargs)

    return grow


_GROWING_METHODS = frozenset({"append", "extend", "insert", "add", "update", "setdefault"})


class _ListWriter:
    """What `_write_` gives for a list: slice assignment (`l[:0] = l`) is size-checked."""

    __slots__ = ("target",)

    def __init__(self, target: list[Any]) -> None:
        self.target = target

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, slice):
            value = _sequence(value, "items assigned to a slice")
            _check_length("result of slice assignment", range(len(self.target) + len(value)))
        self.target[key] = value

    def __delitem__(self, key: Any) -> None:
        del self.target[key]


def _write(obj: Any) -> Any:
    return _ListWriter(obj) if isinstance(obj, list) else full_write_guard(obj)


def _factorial(n: int) -> int:
    if n > 600:
        raise _too_large("argument of math.factorial", n, 600, "600")
    return _check_int("result of math.factorial", math.factorial(n))


def _comb(n: int, k: int) -> int:
    if isinstance(n, int) and isinstance(k, int) and min(k, n - k) * n.bit_length() > MAX_INT_BITS:
        raise _too_large(
            "result of math.comb", min(k, n - k) * n.bit_length(), MAX_INT_BITS, "MAX_INT_BITS bits"
        )
    return math.comb(n, k)


def _perm(n: int, k: int | None = None) -> int:
    if k is None:
        return _factorial(n)
    if isinstance(n, int) and isinstance(k, int) and k * n.bit_length() > MAX_INT_BITS:
        raise _too_large("result of math.perm", k * n.bit_length(), MAX_INT_BITS, "MAX_INT_BITS bits")
    return math.perm(n, k)


def _prod(iterable: Iterable[Any], *, start: Any = 1) -> Any:
    result = start
    for item in iterable:
        result = _check_binop("*", result, item)
    return result


def _lcm(*integers: int) -> int:
    if sum(abs(i).bit_length() for i in integers if isinstance(i, int)) > MAX_INT_BITS:
        raise ScriptRuleError(f"result of math.lcm is larger than {MAX_INT_BITS} bits (MAX_INT_BITS)")
    return math.lcm(*integers)


_MATH_GUARDS: dict[str, Callable[..., Any]] = {
    "factorial": _factorial, "comb": _comb, "perm": _perm, "prod": _prod, "lcm": _lcm,
}  # fmt: skip

BLOCKED_ATTRIBUTES = frozenset(
    {"format", "format_map", "ljust", "rjust", "center", "zfill", "expandtabs", "translate", "maketrans",
     "mro", "gi_frame", "f_back"}
)  # fmt: skip


def _getattr(obj: Any, name: str, default: Any = None) -> Any:
    if name in BLOCKED_ATTRIBUTES or (isinstance(obj, ModuleType) and obj is not math):
        raise ScriptRuleError(f"attribute {name!r} is not allowed in diagram code")
    if obj is math and name in _MATH_GUARDS:
        return _MATH_GUARDS[name]
    value = safer_getattr(obj, name, default)
    if isinstance(obj, (str, bytes)) and name in ("join", "replace"):
        return (_join if name == "join" else _replace)(obj, value)
    if name in _GROWING_METHODS and isinstance(obj, (list, dict, set)):
        return _grow(obj, value, name)
    return value


def _range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_SEQUENCE:
        raise _too_large("range", len(result), MAX_SEQUENCE, "MAX_SEQUENCE items")
    return result


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _now_iso() -> str:
    """The engine clock as an ISO 8601 UTC string."""
    return clock.now().isoformat()


class _GuardedType(type):
    """A stand-in for a builtin type: calling it is size-checked, `isinstance` and class attributes
    (`dict.fromkeys`, `str.upper`) behave as the real type's."""

    real: type
    construct: Callable[..., Any]

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, cls.real)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls.real)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.construct(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        return getattr(cls.real, name)

    def __repr__(cls) -> str:
        return repr(cls.real)


def _guarded_type(real: type, construct: Callable[..., Any]) -> type:
    return _GuardedType(real.__name__, (), {"real": real, "construct": staticmethod(construct)})


def _collection(real: type) -> type:
    def construct(*args: Any, **kwargs: Any) -> Any:
        return _check_length(f"{real.__name__}()", real(*args, **kwargs))

    return _guarded_type(real, construct)


def _str(*args: Any, **kwargs: Any) -> str:
    if args and not isinstance(args[0], (str, float)):
        _check_text("str()", args[0])
    return _check_length("str()", str(*args, **kwargs))


def _sorted(iterable: Iterable[Any], /, **kwargs: Any) -> list[Any]:
    return _check_length("sorted()", sorted(iterable, **kwargs))


def _sum(iterable: Iterable[Any], /, start: Any = 0) -> Any:
    if isinstance(start, (int, float)):
        return _check_int("result of sum", sum(iterable, start))
    result = start
    for item in iterable:
        result = _check_binop("+", result, item)
    return result


class _PrintCollector(PrintCollector):
    """`print` in diagram code, size-checked before anything is rendered."""

    def _call_print(self, *objects: Any, **kwargs: Any) -> None:
        _check_text("printed text", (objects, self.txt))
        super()._call_print(*objects, **kwargs)


def _builtins() -> dict[str, Any]:
    import builtins

    names = [
        "abs", "all", "any", "bool", "chr", "divmod", "enumerate", "filter", "float", "int",
        "isinstance", "len", "map", "max", "min", "ord", "reversed", "round",
        "zip", "None", "True", "False",
        "ArithmeticError", "Exception", "IndexError", "KeyError", "LookupError", "TypeError",
        "ValueError", "ZeroDivisionError",
    ]  # fmt: skip
    result = {name: getattr(builtins, name) for name in names}
    result.update(
        range=_range, sorted=_sorted, sum=_sum, str=_guarded_type(str, _str),
        list=_collection(list), tuple=_collection(tuple), set=_collection(set), dict=_collection(dict),
    )  # fmt: skip
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
        "_write_": _write,
        "_inplacevar_": _inplacevar,
        "_apply_": _apply,
        "_print_": _PrintCollector,
        "_tick_": budget.tick,
        "_binop_": _check_binop,
        "_fmt_": _fmt,
        "_joined_": _joined,
        "_sized_": _sized,
        "math": math,
        "now_iso": _now_iso,
    }


_HELPER_NAMES = frozenset(sandbox_globals(_Budget(0)).keys())


def _check_task_data(values: dict[str, Any], what: str) -> None:
    size = 0
    for value in values.values():
        if isinstance(value, str):
            size += len(value)
        elif value is None or isinstance(value, (bool, float)):
            size += 5
        else:
            size += _text_size(value, MAX_TASK_DATA - size)
        if size > MAX_TASK_DATA:
            raise _too_large(what, size, MAX_TASK_DATA, "MAX_TASK_DATA characters")


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment that runs every expression and script in the sandbox.

    Task data is the namespace; after a script, new or changed plain values are written back,
    deleted names are removed, and functions or helpers never reach the task data. What a script
    writes back (and what an expression returns) is bounded by MAX_TASK_DATA.
    """

    def __init__(self, time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> None:
        super().__init__({})
        self.time_limit_s = time_limit_s

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict | None = None) -> Any:
        code = compile_code(expression.strip(), "eval")
        namespace = sandbox_globals(_Budget(self.time_limit_s))
        namespace.update(external_context or {})
        namespace.update(context)
        result = eval(code, namespace)
        if isinstance(result, _SIZED):
            _check_task_data({"": result}, "value of the expression")
        return result

    def execute(self, script: str, context: dict[str, Any], external_context: dict | None = None) -> bool:
        code = compile_code(script, "exec")
        helpers = sandbox_globals(_Budget(self.time_limit_s))
        helpers.update(external_context or {})
        namespace = dict(helpers)
        namespace.update(context)
        exec(code, namespace)
        written: dict[str, Any] = {}
        for name, value in namespace.items():
            if name in helpers and value is helpers[name]:
                continue
            if name.startswith("_") or callable(value) or isinstance(value, ModuleType):
                continue
            written[name] = value
        # New or rebound values, and containers (they may have been changed in place).
        _check_task_data(
            {n: v for n, v in written.items() if v is not context.get(n) or isinstance(v, (list, dict, set))},
            "task data written by the script",
        )
        for name in list(context):
            if name not in namespace:
                del context[name]
        context.update(written)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> str:
        raise NotImplementedError("service tasks are run by engine.services, never inline")
