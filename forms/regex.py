"""Regular expressions written by analysts (a form field's "pattern", "patternProperties").

They run on text from the people filling the form in, so they run on RE2: matching takes time
linear in the text whatever the pattern ("^(a+)+$" held a thread for 43 s in Python's `re`).
RE2 has no backreferences or lookarounds; such patterns are refused at deploy (forms.lint).
JSON Schema's "pattern" is a search, not anchored: `search` keeps that.
"""

from __future__ import annotations

import functools
from typing import Any

import re2


class PatternError(ValueError):
    """A pattern RE2 cannot compile; the message says why, for the analyst."""


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # the caller reports it; RE2 would also write to stderr
    return options


_OPTIONS = _options()


def compile_pattern(pattern: str) -> Any:
    """The compiled RE2 pattern; raises PatternError (also for a pattern that is not text)."""
    if not isinstance(pattern, str):
        raise PatternError("a pattern must be text")
    return _compile(pattern)


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> Any:
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(str(reason)) from None


def pattern_problem(pattern: str) -> str | None:
    """Why RE2 cannot use `pattern`, or None when it can."""
    try:
        compile_pattern(pattern)
    except PatternError as exc:
        return str(exc)
    return None


def search(pattern: str, text: str) -> bool:
    """Whether `pattern` matches anywhere in `text` (JSON Schema semantics), in linear time."""
    return compile_pattern(pattern).search(text) is not None
