"""Where apps add to the generic pages without the pages knowing them: a picture per instance in
the inbox (a defect's first photo) and a panel on the task page (the defect with its photos, the
room with its defects). Apps register per process key in their AppConfig.ready."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Thumbnail:
    url: str
    alt: str


ThumbnailProvider = Callable[[Any, list[int]], dict[int, Thumbnail]]  # (user, instance ids) -> pictures
PanelProvider = Callable[[HttpRequest, Any], str]  # (request, task) -> HTML ("" for none)

_THUMBNAILS: dict[str, ThumbnailProvider] = {}
_PANELS: dict[str, PanelProvider] = {}


def register_thumbnails(process_key: str, provider: ThumbnailProvider) -> None:
    _THUMBNAILS[process_key] = provider


def register_panel(process_key: str, provider: PanelProvider) -> None:
    _PANELS[process_key] = provider


def thumbnails(user: Any, tasks: Iterable[Any]) -> dict[int, Thumbnail]:
    """instance id → its picture, for the tasks of one inbox page (one call per process key)."""
    wanted: dict[str, list[int]] = {}
    for task in tasks:
        if task.process_key in _THUMBNAILS:
            wanted.setdefault(task.process_key, []).append(task.instance_id)
    found: dict[int, Thumbnail] = {}
    for key, ids in wanted.items():
        found.update(_THUMBNAILS[key](user, ids))
    return found


def panel(request: HttpRequest, task: Any) -> str:
    provider = _PANELS.get(task.process_key)
    return provider(request, task) if provider else ""
