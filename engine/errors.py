"""Exceptions the engine raises to its callers; the API maps each to one HTTP status."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from forms.text import TextRefused, check_text


@dataclass
class Problem:
    """One problem in a deployment, named by file, element and line so an analyst can find it."""

    message: str
    file: str = ""
    element_id: str = ""
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file,
                f"element {self.element_id}" if self.element_id else "",
                f"line {self.line}" if self.line else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


class EngineError(Exception):
    """Base class; `status` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DeployError(EngineError):
    """The files do not make a deployable flow; nothing was deployed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:5]))
        self.problems = problems


class FormInvalid(EngineError):
    """Submitted data does not satisfy the task's form; nothing was saved."""

    def __init__(self, field_errors: dict[str, list[str]]) -> None:
        from django.utils.translation import gettext

        super().__init__(gettext("The submitted data is invalid."))
        self.field_errors = field_errors


class BadRequest(EngineError):
    """A request the engine cannot act on (unknown process key, malformed data)."""


class Conflict(EngineError):
    """Someone else got there first (task completed or claimed); says who and when."""

    status = 409

    def __init__(self, message: str, *, by: str = "", at: str = "") -> None:
        super().__init__(message)
        self.by = by
        self.at = at


class NotAllowed(EngineError):
    """The user may see the object but not do this to it."""

    status = 403


@dataclass
class StepOutcome:
    """What an engine step did, for callers that want to report it."""

    incident: str = ""
    new_tasks: list[int] = field(default_factory=list)


def checked_text(value: Any, field: str, limit: int | None = None, *, strip: bool = True) -> str:
    """forms.text.check_text for callers that answer with FormInvalid: text to store, stripped and
    cut to `limit`; FormInvalid naming `field` when it holds a control character."""
    try:
        return check_text(value, field, limit, strip=strip)
    except TextRefused as exc:
        raise FormInvalid(exc.field_errors) from None
