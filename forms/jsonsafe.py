"""JSON from outside parsed with a bound on nesting, so that `[[[[…` 50,000 deep is a parse
error rather than a RecursionError deep in the parser (a 500).

The depth is found before parsing and without recursion: strings are cut out, every character
but brackets is dropped, and innermost pairs are removed one level per pass (each pass a C-speed
regex substitution), at most `max_depth` passes.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32  # the default; webapp passes settings.ANJU_MAX_JSON_DEPTH

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST = re.compile(rb"\[\]|\{\}")


class JsonTooDeep(ValueError):
    """The JSON nests arrays and objects deeper than allowed."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(f"nested deeper than {max_depth} levels")
        self.max_depth = max_depth


def too_deep(data: bytes | str, max_depth: int = MAX_DEPTH) -> bool:
    """Whether the JSON text nests arrays/objects more than `max_depth` levels. Unbalanced
    brackets (invalid JSON, which the parser refuses anyway) may count as too deep."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return False
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    for _level in range(max_depth):
        if not brackets:
            return False
        brackets = _INNERMOST.sub(b"", brackets)
    return bool(brackets)


def loads(data: bytes | str, max_depth: int = MAX_DEPTH, **kwargs: Any) -> Any:
    """json.loads, refusing nesting deeper than `max_depth` with JsonTooDeep (a ValueError, as
    every other parse error is)."""
    if too_deep(data, max_depth):
        raise JsonTooDeep(max_depth)
    try:
        return json.loads(data, **kwargs)
    except RecursionError:  # cannot happen after the check; kept so no input ever gives a 500
        raise JsonTooDeep(max_depth) from None
