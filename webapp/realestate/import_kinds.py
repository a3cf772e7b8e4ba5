"""The kinds of Excel import the master-data importer (imports.py) runs, one registry.

Each kind is registered once, in its app's AppConfig.ready(), by one call:

    register_import_kind(ImportKindSpec(ImportKind.RESIDENTS, gettext_lazy("Residents"), RESIDENT_COLUMNS,
                                        ResidentImporter, right=MANAGE_RESIDENTS, personal_columns={...}))

realestate registers rooms and customers itself; webapp.residents adds "residents" and
webapp.meters "readings", so realestate never imports them. Everything that depends on the kind
asks here: the upload's check (an unregistered kind is a 400 on "kind"), the columns of the
template, the row reader and the error file, the importer that runs a job, the right importing
needs (access.check_may_import), the label on the 导入 page and the personal columns masked in
the error file. A kind must be a value of ImportKind (the choices of ImportJob.kind).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

from .models import ImportKind

if TYPE_CHECKING:
    from .imports import Column, _Importer


@dataclass(frozen=True)
class ImportKindSpec:
    kind: str  # a value of ImportKind
    label: Any  # shown on the 导入 page (a lazy translation)
    columns: Sequence[Column]  # the template's columns, in order
    importer: type[_Importer]  # checks the rows and saves the good ones
    right: str  # the permission importing this kind needs (webapp/common/rights.py)
    # {field: mask kind}: the personal columns, masked in the error file
    personal_columns: Mapping[str, str] = field(default_factory=dict)

    @property
    def template_file_name(self) -> str:
        return f"{self.kind}-template.xlsx"


_KINDS: dict[str, ImportKindSpec] = {}


def register_import_kind(spec: ImportKindSpec) -> None:
    """Make spec.kind a kind of import. Registering the same spec again is a no-op; another spec
    for a registered kind, or a kind that is not an ImportKind, is a configuration error."""
    if spec.kind not in ImportKind.values:
        raise ImproperlyConfigured(f"import kind {spec.kind!r} is not a value of ImportKind")
    known = _KINDS.get(spec.kind)
    if known is not None and known != spec:
        raise ImproperlyConfigured(f"import kind {spec.kind!r} is registered twice")
    _KINDS[spec.kind] = spec


def lookup(kind: str) -> ImportKindSpec | None:
    """The registered kind, None for anything else (an unknown kind from a form or the API)."""
    return _KINDS.get(kind)


def get(kind: str) -> ImportKindSpec:
    """The registered kind; KeyError if it is not registered (the caller checked it)."""
    return _KINDS[kind]


def registered() -> list[ImportKindSpec]:
    """Every registered kind, in the order of ImportKind (rooms, customers, residents, readings)."""
    order = {value: position for position, value in enumerate(ImportKind.values)}
    return sorted(_KINDS.values(), key=lambda spec: order[spec.kind])


def label(kind: str) -> Any:
    """The kind's label on the pages; the kind itself if it is not registered."""
    spec = _KINDS.get(kind)
    return spec.label if spec is not None else kind
