"""Filter bars of list pages: a view describes its fields (FilterBar of Field), and one include,
templates/common/filter_bar.html, renders every bar the same way:

    {% include "common/filter_bar.html" with bar=filter_bar %}

A field's value is what the view parsed from the query string (so a bad value the view ignored
shows as ignored); choices are (value, label) pairs, compared with the value as text. Labels are
gettext'd by the view, so the msgids stay those the locale files translate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from .params import MAX_PARAM

Kind = Literal["text", "search", "select", "date", "checkbox", "hidden"]
Choices = Iterable[tuple[Any, Any]]  # (value, label) pairs, the one shape of a select's options
WIDTH = "col-6 col-md-2"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass
class Field:
    """One control of a filter bar, with the GET parameter `name` and its element id (`f-<name>`
    unless given). `blank` is the label of a select's empty first option; None: no empty option."""

    kind: Kind
    name: str
    label: Any = ""
    value: Any = ""
    choices: Choices = ()
    blank: Any = None
    id: str = ""
    width: str = WIDTH  # the Bootstrap column classes of the field's cell
    placeholder: Any = ""
    autofocus: bool = False

    def __post_init__(self) -> None:
        self.value = _text(self.value)
        self.choices = [(_text(value), label) for value, label in self.choices]
        self.id = self.id or f"f-{self.name}"

    @property
    def maxlength(self) -> int | None:
        """Search boxes are bounded as their parameter is read (params.param)."""
        return MAX_PARAM if self.kind == "search" else None


@dataclass
class Link:
    """A button-like link after the bar's buttons (e.g. an export of what the bar selects); the
    first link starts at the cell's right end."""

    label: Any
    href: str
    css: str = "btn btn-sm btn-outline-secondary"
    id: str = ""


@dataclass
class FilterBar:
    """A GET form of fields with a submit button, a Reset link to `reset` (None: no link) and
    further links. `id` is the form's element id; `css` adds classes to the form."""

    id: str
    fields: list[Field]
    actions_width: str = WIDTH  # the Bootstrap column classes of the buttons' cell
    submit: Any = ""  # the submit button's label; empty: "Filter"
    reset: str | None = "?"
    links: list[Link] = field(default_factory=list)
    css: str = ""
    role: str = ""
