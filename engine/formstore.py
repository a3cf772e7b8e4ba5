"""Form schemas of deployed versions, read once per process (versions never change)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from .models import ProcessFile


@lru_cache(maxsize=512)
def _load(version_id: int, name: str) -> dict[str, Any] | None:
    text = (
        ProcessFile.objects.filter(version_id=version_id, name=name).values_list("content", flat=True).first()
    )
    return json.loads(text) if text is not None else None


def form(version_id: int, name: str) -> dict[str, Any] | None:
    """A parsed JSON form file of a version. Shared and cached: treat it as read-only (the forms
    package keeps one compiled validator per schema object)."""
    return _load(version_id, name) if name else None


def accepted_fields(schema: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any]:
    """The part of submitted data a form lets a user write: declared fields that are not readOnly.

    Anything else is dropped so that a submission cannot set workflow variables the form does
    not show (a later gateway's `department`, say).
    """
    if not schema:
        return {}
    props = schema.get("properties") or {}
    return {
        key: value
        for key, value in data.items()
        if key in props and not (isinstance(props[key], dict) and props[key].get("readOnly"))
    }
