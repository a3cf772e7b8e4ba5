"""The sandbox diagram code runs in: what it refuses at compile time and stops at run time."""

import time

import pytest

from engine.sandbox import SandboxEnvironment, ScriptRuleError, ScriptTimeout, check_code

ENV = SandboxEnvironment(time_limit_s=0.2)


@pytest.mark.parametrize(
    "source",
    [
        "import os",
        "from os import path",
        "().__class__.__base__.__subclasses__()",
        "x = y.__dict__",
        "_private = 1",
        "class A: pass",
        "global x",
        "x = (",
    ],
)
def test_refused_at_compile_time(source):
    problems = check_code(source)
    assert problems and problems[0].line == 1


@pytest.mark.parametrize(
    "expression",
    [
        "open('/etc/passwd')",
        "eval('1')",
        "exec('x=1')",
        "getattr(1, 'real')",
        "__import__('os')",
        "compile('1','','eval')",
    ],
)
def test_dangerous_builtins_do_not_exist(expression):
    with pytest.raises((NameError, ScriptRuleError)):
        if check_code(expression, "eval"):
            raise ScriptRuleError("refused")
        ENV.evaluate(expression, {})


@pytest.mark.parametrize(
    "script",
    [
        "while True:\n    pass",
        "x = 0\nwhile x >= 0:\n    x = x + 1",
        "def f(n):\n    return 0 if n > 40 else f(n + 1) + f(n + 1)\ny = f(0)",
        "f = lambda n: 0 if n > 40 else f(n + 1) + f(n + 1)\ny = f(0)",
        "y = [a for a in range(100000) for b in range(100000)]",
    ],
)
def test_endless_work_is_stopped_within_its_budget(script):
    began = time.monotonic()
    with pytest.raises(ScriptTimeout):
        ENV.execute(script, {})
    assert time.monotonic() - began < 2


@pytest.mark.parametrize(
    "expression",
    ["10 ** 10 ** 10", "'a' * 10 ** 9", "[0] * 10 ** 9", "'%1000000000s' % 1", "'a'.ljust(10 ** 9)",
     "list(range(10 ** 9))", "1 << 10 ** 9", "'{:>1000000000}'.format(1)"],
)  # fmt: skip
def test_huge_objects_are_refused(expression):
    with pytest.raises(ScriptRuleError):
        ENV.evaluate(expression, {})


def test_scripts_read_and_write_task_data():
    data = {"priority": "high", "items": [1, 2, 3], "old": 1}
    ENV.execute(
        "handle_due = {'high': 'PT24H', 'normal': 'PT72H'}[priority]\n"
        "total = sum(i for i in items)\n"
        "items.append(4)\n"
        "def double(x):\n    return x * 2\n"
        "doubled = double(total)\n"
        "del old",
        data,
    )
    assert data == {
        "priority": "high",
        "items": [1, 2, 3, 4],
        "handle_due": "PT24H",
        "total": 6,
        "doubled": 12,
    }


def test_conditions_are_expressions_over_task_data():
    assert ENV.evaluate("issue_type == 'consultation' and answered_on_spot", {"issue_type": "consultation",
                                                                             "answered_on_spot": True})  # fmt: skip
    assert ENV.evaluate("'%.2f' % amount", {"amount": 1200.5}) == "1200.50"
    assert ENV.evaluate("math.ceil(x)", {"x": 1.2}) == 2
