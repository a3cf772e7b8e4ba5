"""Who may see a form field's personal value in full, declared on the field.

A task whose job is to phone the customer needs the number: `"x-reveal": "task-holder"` on a
personal field (a phone, an ID, an address: forms.masks.personal_fields) lets the holder of an
open task with that form reveal the value from the task, one click, audited (webapp/privacy.py);
everyone else keeps the mask unless they hold the personal-data permission. Only top-level fields
may carry it: the task's data is revealed by its top-level key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from forms.masks import personal_fields
from forms.schema import as_dict, properties

KEYWORD = "x-reveal"
TASK_HOLDER = "task-holder"
VALUES = frozenset({TASK_HOLDER})
_MAX_DEPTH = 20


def holder_fields(schema: Mapping[str, Any] | None) -> set[str]:
    """The top-level fields of a form whose value the task's holder may reveal."""
    if not isinstance(schema, Mapping):
        return set()
    return {
        name
        for name, node in properties(dict(schema)).items()
        if isinstance(node, dict) and node.get(KEYWORD) == TASK_HOLDER
    }


def _uses(node: Any, path: str, depth: int = 0) -> Iterator[str]:
    """The JSON pointer of every object that carries the keyword."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, dict):
        if KEYWORD in node:
            yield path
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                yield from _uses(value, f"{path}/{key}", depth + 1)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _uses(value, f"{path}/{index}", depth + 1)


def reveal_problems(schema: Mapping[str, Any]) -> list[str]:
    """Deploy-time problems with x-reveal (plain English, for forms.lint.check_schema)."""
    problems: list[str] = []
    personal = personal_fields(schema)
    top = properties(dict(schema))
    for name, node in top.items():
        value = as_dict(node).get(KEYWORD)
        if value is None:
            continue
        if value not in VALUES:
            known = ", ".join(f"'{v}'" for v in sorted(VALUES))
            shown = str(value)[:100]
            problems.append(f"Field '{name}' has {KEYWORD} '{shown}'; the allowed value is {known}.")
        elif name not in personal:
            problems.append(
                f"Field '{name}' has {KEYWORD} but holds no personal data (a phone, resident ID or "
                "address: give it a cn-mobile/cn-phone/cn-resident-id format or a personal key name); "
                "other values are shown in full anyway."
            )
    declared = {f"/properties/{name}" for name in top}
    for where in _uses(dict(schema), ""):
        if where not in declared:
            problems.append(
                f"{KEYWORD} at '{where or '/'}' has no effect; only top-level fields may carry it."
            )
    return problems
