"""Audit events as the review pages and exports show them: what happened in words, the element's
name, and for submitted or corrected data each field's old and new value. Personal data in the
details is masked (webapp/privacy.py) unless the row is made with `reveal`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from engine.models import AuditEvent, ProcessVersion
from webapp import privacy
from webapp.common import display


@dataclass
class Row:
    event: AuditEvent
    label: str
    element: str
    note: str
    items: list[tuple[str, str]] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, old, new)
    flow: str = ""  # the flow's name
    raw: str = ""  # the details as stored (personal data masked unless revealed), for a second look

    def text(self) -> str:
        """One line for exports: the note, the changes, or the submitted fields."""
        if self.changes:
            return "; ".join(f"{name}: {old} → {new}" for name, old, new in self.changes)
        parts = [self.note] if self.note else []
        parts += [f"{k}: {v}" for k, v in self.items]
        return "; ".join(p for p in parts if p)


class Labels:
    """Form labels per version, loaded once per page or export; linked ids (customers, rooms …)
    resolve as `user` may see them."""

    def __init__(self, user: Any = None) -> None:
        self.user = user
        self._cache: dict[int | None, display.FormLabels] = {}
        self._flows: dict[str, str] | None = None

    def flow(self, key: str) -> str:
        """The flow's name (its latest version's)."""
        if self._flows is None:
            self._flows = display.flow_names()
        return self._flows.get(key, key)

    def of(self, version: ProcessVersion | None) -> display.FormLabels:
        pk = version.pk if version is not None else None
        if pk not in self._cache:
            labels = display.FormLabels.for_version(version) if version is not None else display.FormLabels()
            self._cache[pk] = labels.for_user(self.user)
        return self._cache[pk]


def row(event: AuditEvent, labels: Labels, *, reveal: bool = False) -> Row:
    """The event as a row; with `reveal` (an export by a holder of the personal-data permission,
    audited by the caller) personal data in full."""
    version = event.instance.version if event.instance_id else None
    form_labels = labels.of(version)
    details = event.details if isinstance(event.details, dict) else {}
    if not reveal:
        details = privacy.mask_data(details, fields=form_labels.personal)
    if version is not None:
        base = display.audit_row(event, version, form_labels, reveal=reveal)
        label, element, note, items = base.label, base.element, base.note, base.items
    else:
        label = str(display.AUDIT_ACTION.get(event.action, event.action))
        element, note = event.element_id, ""
        if event.action == "reveal":
            note = display.reveal_note(details)
        items = (
            [(form_labels.title(k), form_labels.value(k, v)) for k, v in details.items()] if not note else []
        )
    changes = []
    changed = details.get("changed")
    if isinstance(changed, dict):
        for key, pair in changed.items():
            if isinstance(pair, list) and len(pair) == 2:
                changes.append(
                    (
                        form_labels.title(key),
                        _value(form_labels, key, pair[0]),
                        _value(form_labels, key, pair[1]),
                    )
                )
    raw = json.dumps(details, ensure_ascii=False, indent=2, sort_keys=True) if details else ""
    return Row(event, label, element, note, items, changes, labels.flow(event.process_key), raw)


def _value(labels: display.FormLabels, key: str, value: Any) -> str:
    return "—" if value in (None, "") else labels.value(key, value)


def local(event: AuditEvent) -> str:
    return date_format(timezone.localtime(event.at), "Y-m-d H:i:s")
