"""Personal data (个人信息, PIPL): who may see it whole, the audit of every time someone does, and
revealing one value. The masks themselves and what counts as personal are pure and live in
forms/masks.py (the engine masks case titles with them); they are re-exported here.

Resident IDs, phone numbers and addresses are shown masked everywhere (pages, API, exports):
110105********0021, 138****8000, 深圳市南山区****. Holders of `realestate.view_personal_data`
(role 个人信息查看) see them masked too by default and reveal one value at a time (POST
/api/privacy/reveal/, the "显示" buttons); every reveal, every API request with ?reveal=1 and every
export with full values writes an audit event (action "reveal") saying what object and which
fields, never the value itself.

What can be revealed is registered by the app that owns it (register_revealer, in its
AppConfig.ready): a customer (realestate), a move-in room (movein), a task's data (pages); a flow
instance's data is revealed here.

Without the permission one may still reveal where the work needs it and a kind's grant allows it:
a form field declared `"x-reveal": "task-holder"` (forms/reveal.py: the customer's phone on a
callback task) is revealed by the holder of an open task with that form, from the task, audited
with the task like every reveal (task_holder_grant).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from engine import access, formstore, inspect
from engine.audit import event
from engine.errors import FormInvalid, NotAllowed
from engine.ids import id_or_404
from engine.models import ProcessFile, Task
from engine.models.audit import AuditAction
from forms.masks import (
    ADDRESS,
    CUSTOMER_FIELDS,
    DATA_KEYS,
    FORMAT_KINDS,
    ID,
    KINDS,
    PHONE,
    as_text,
    keep_stored,
    kind_of,
    mask,
    mask_address,
    mask_form,
    mask_id,
    mask_phone,
    mask_text,
    mask_value,
    masked_keys,
    may_hold_masks,
    personal_fields,
)
from forms.reveal import TASK_HOLDER, holder_fields

__all__ = [
    "ADDRESS",
    "CUSTOMER_FIELDS",
    "DATA_KEYS",
    "FORMAT_KINDS",
    "GRANTS",
    "ID",
    "KINDS",
    "PERMISSION",
    "PHONE",
    "REVEALERS",
    "Revealed",
    "as_text",
    "check_may_see",
    "do_reveal",
    "flow_value",
    "form_empty_keeps",
    "keep_stored",
    "keep_stored_from_form",
    "kind_of",
    "mask",
    "mask_address",
    "mask_data",
    "mask_form",
    "mask_id",
    "mask_phone",
    "mask_text",
    "masked_keys",
    "may_hold_masks",
    "may_see",
    "personal_fields",
    "record_api_reveal",
    "record_export",
    "register_revealer",
    "task_holder_grant",
    "task_holder_may_reveal",
    "version_fields",
    "wants_reveal",
]

PERMISSION = "realestate.view_personal_data"
TRUE = frozenset({"1", "true", "yes", "on"})


# --- what is personal --------------------------------------------------------------------------


def version_fields(version: Any) -> dict[str, str]:
    """The personal fields of every form of a deployed flow version."""
    return dict(_version_fields(version.pk))


@functools.lru_cache(maxsize=512)
def _version_fields(version_id: int) -> tuple[tuple[str, str], ...]:
    """Read once per process: a deployed version's files never change."""
    found: dict[str, str] = {}
    names = ProcessFile.objects.filter(version_id=version_id, name__endswith=".json").values_list(
        "name", flat=True
    )
    for name in names:
        found.update(personal_fields(formstore.form(version_id, name)))
    return tuple(found.items())


def mask_data(
    data: Any,
    schema: Mapping[str, Any] | None = None,
    user: Any = None,
    *,
    reveal: bool = False,
    fields: Mapping[str, str] | None = None,
) -> Any:
    """A masked copy of flow data (or audit details, service parameters …): personal keys (the
    schema's personal fields, `fields`, DATA_KEYS) masked as their kind, every other text through
    mask_text, nested dicts and lists too. With `reveal` and a `user` who may see, the data as it is
    (the caller audits that)."""
    if reveal and may_see(user):
        return data
    known = {**personal_fields(schema), **(fields or {})}
    return mask_value(data, None, known)


def keep_stored_from_form(
    request: Any, submitted: Mapping[str, Any], stored: Mapping[str, Any], fields: Mapping[str, str]
) -> dict[str, Any]:
    """keep_stored for a posted form that showed the stored personal `fields` as placeholders:
    left empty or sent as the mask they keep the stored value, except the ones its user revealed
    (the page script posts their names as "_revealed"; honoured for holders of the permission),
    which are taken as typed, empty included."""
    return keep_stored(submitted, stored, fields, empty_keeps=form_empty_keeps(request, fields))


def form_empty_keeps(request: Any, fields: Mapping[str, str]) -> list[str]:
    """The personal `fields` of a posted form that keep their stored value when left empty: all
    but the ones its user revealed (posted as "_revealed"; honoured for holders of the permission)."""
    revealed = set(request.POST.getlist("_revealed")) if may_see(request.user) else set()
    return [k for k in fields if k not in revealed]


# --- who may see -------------------------------------------------------------------------------


def may_see(user: Any) -> bool:
    """Whether the user may see personal data in full (on request, audited)."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(PERMISSION)


def check_may_see(user: Any) -> None:
    if not may_see(user):
        raise NotAllowed(_("Seeing personal data in full needs the personal-data permission."))


def wants_reveal(request: Any) -> bool:
    """True when an API request asks ?reveal=1 and its user may see; NotAllowed (403) when the
    user may not. The view audits the request with record_api_reveal."""
    params = getattr(request, "query_params", None) or request.GET
    if str(params.get("reveal", "")).strip().lower() not in TRUE:
        return False
    check_may_see(request.user)
    return True


# --- the audit ---------------------------------------------------------------------------------


def _record(user: Any, details: dict[str, Any], instance: Any = None, task_id: int | None = None) -> None:
    event(
        AuditAction.REVEAL,
        instance=instance,
        actor=user,
        task_id=task_id,
        details=details,
        company_id=getattr(instance, "company_id", None) or getattr(user, "company_id", None),
    ).save()


def record_api_reveal(
    request: Any, kind: str, ids: Iterable[Any], fields: Iterable[str], instance: Any = None
) -> None:
    """One audit event for an API request that returned personal data in full (?reveal=1): which
    objects and which fields; nothing when it held none. `instance` links the event to a flow."""
    ids = sorted({i for i in ids if i is not None}, key=str)
    fields = sorted(set(fields))
    if not ids or not fields:
        return
    _record(
        request.user,
        {"via": "api", "path": request.path[:200], "kind": kind, "ids": ids[:1000], "count": len(ids),
         "fields": fields},
        instance,
    )  # fmt: skip


def record_export(user: Any, export: str, rows: int, fields: Iterable[str]) -> None:
    """One audit event for an export with full personal data: which export, how many rows held some."""
    _record(user, {"via": "export", "export": export, "rows": rows, "fields": sorted(set(fields))})


# --- reveal one value --------------------------------------------------------------------------


@dataclass
class Revealed:
    value: str
    label: str  # the object in words, for the audit: "客户 张三"
    instance: Any = None
    task_id: int | None = None  # the audit event is the task's too


Revealer = Callable[[Any, Any, str], Revealed]  # (user, id as sent, field) -> the value; Http404 if none
# (user, id as sent, field) -> on what grounds the user may reveal it without the permission, for the
# audit ("task-holder"); "" when they may not. Never raises.
Grant = Callable[[Any, Any, str], str]
REVEALERS: dict[str, Revealer] = {}
GRANTS: dict[str, Grant] = {}


def register_revealer(kind: str, revealer: Revealer, *, grant: Grant | None = None) -> None:
    """Make `kind` revealable (POST /api/privacy/reveal/ kind=…): the revealer finds the object the
    user can see (Http404 otherwise) and returns the field's value. `grant` says when someone
    without the permission may reveal too. Called in AppConfig.ready."""
    REVEALERS[kind] = revealer
    if grant is not None:
        GRANTS[kind] = grant


def task_holder_may_reveal(
    user: Any, task: Task, field: str, schema: Mapping[str, Any] | None = None
) -> bool:
    """Whether `user` holds the open `task` and its form declares `field` "x-reveal": "task-holder"
    (`schema`: the task's form, if the caller has it loaded)."""
    if not task.is_open() or task.assignee_id is None or task.assignee_id != getattr(user, "pk", None):
        return False
    if schema is None:
        schema = formstore.form(task.instance.version_id, task.form_schema)
    return field in holder_fields(schema)


def task_holder_grant(user: Any, pk: Any, field: str) -> str:
    """The grant of kind "task": its holder reveals the task's x-reveal fields (task_holder_may_reveal)."""
    try:
        task = access.access_task(user, id_or_404(pk))
    except Http404:
        return ""
    return TASK_HOLDER if task_holder_may_reveal(user, task, field) else ""


def flow_value(data: Mapping[str, Any], field: str, version: Any) -> str:
    """The personal value `field` of flow data (of a flow version); Http404 when it holds none."""
    if field not in data:
        raise Http404("no such field")
    value = data[field]
    if isinstance(value, (dict, list)) or value in (None, ""):
        raise Http404("not a personal value")
    if kind_of(field, version_fields(version)) is None and mask_text(str(value)) == str(value):
        raise Http404("not a personal value")
    return as_text(value)


def _instance(user: Any, pk: Any, field: str) -> Revealed:
    instance = access.access_instance(user, id_or_404(pk))
    value = flow_value(inspect.snapshot(instance).data, field, instance.version)
    return Revealed(value, instance.business_key, instance)


register_revealer("instance", _instance)


def do_reveal(user: Any, kind: Any, pk: Any, field: Any) -> str:
    """The full value of one personal field of an object the user can see, with an audit event.

    NotAllowed (403) without the permission unless the kind's grant allows it (checked first);
    FormInvalid (400) for a kind that is not one of REVEALERS; Http404 for another company's object,
    an object the user cannot see, or a field that is not personal data of it."""
    kind, field = as_text(kind), as_text(field)[:100]
    granted = ""
    if not may_see(user):
        grant = GRANTS.get(kind)
        granted = grant(user, pk, field) if grant is not None else ""
        if not granted:
            check_may_see(user)
    if kind not in REVEALERS:
        choices = ", ".join(sorted(REVEALERS))
        raise FormInvalid({"kind": [_("Choose one of: %(choices)s.") % {"choices": choices}]})
    if not field:
        raise FormInvalid({"field": [_("This field is required.")]})
    revealed = REVEALERS[kind](user, pk, field)
    details: dict[str, Any] = {"kind": kind, "id": id_or_404(pk), "field": field, "object": revealed.label}
    if granted:
        details["as"] = granted  # without the permission, on these grounds
    _record(user, details, revealed.instance, revealed.task_id)
    return revealed.value
