"""Personal data (个人信息, PIPL): the masks, which data is personal, who may see it whole, and the
audit of every time someone does.

Resident IDs, phone numbers and addresses are shown masked everywhere (pages, API, exports):
110105********0021, 138****8000, 深圳市南山区****. Holders of `realestate.view_personal_data`
(role 个人信息查看) see them masked too by default and reveal one value at a time (POST
/api/privacy/reveal/, the "显示" buttons); every reveal, every API request with ?reveal=1 and every
export with full values writes an audit event (action "reveal") saying what object and which
fields, never the value itself.

What is personal:
- the customer's fields (CUSTOMER_FIELDS);
- flow data keys (DATA_KEYS: customer_mobile, owner_mobile, customer_id_number …);
- any form field whose schema format is cn-resident-id, cn-mobile or cn-phone (personal_fields);
- in any other text, what has the shape of a mainland mobile, a landline with its area code or a
  resident ID (18 characters with a birth date in place; mask_text): free text and service-call parameters carry
  phone numbers too ("客户电话 13800138000", an SMS's "to").

Masks are for showing only: a masked value that comes back in a write (a form left as it was, an
API client echoing what it read) means "unchanged" (keep_stored), never "store the stars".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from engine.errors import FormInvalid, NotAllowed
from forms.formats import CN_MOBILE, CN_PHONE, CN_RESIDENT_ID

PERMISSION = "realestate.view_personal_data"

ID = "id"
PHONE = "phone"
ADDRESS = "address"
KINDS = (ID, PHONE, ADDRESS)

CUSTOMER_FIELDS: dict[str, str] = {
    "id_number": ID,
    "mobile": PHONE,
    "office_phone": PHONE,
    "home_phone": PHONE,
    "address": ADDRESS,
}
# Keys of flow data (and audit details) that hold personal data whatever their form says.
DATA_KEYS: dict[str, str] = {
    **CUSTOMER_FIELDS,
    "customer_id_number": ID,
    "owner_id_number": ID,
    "customer_mobile": PHONE,
    "customer_phone": PHONE,
    "customer_office_phone": PHONE,
    "customer_home_phone": PHONE,
    "owner_mobile": PHONE,
    "owner_phone": PHONE,
    "customer_address": ADDRESS,
    "owner_address": ADDRESS,
}
FORMAT_KINDS: dict[str, str] = {CN_RESIDENT_ID: ID, CN_MOBILE: PHONE, CN_PHONE: PHONE}
TRUE = frozenset({"1", "true", "yes", "on"})

_STARS = "****"
_PHONE_EXTENSION = re.compile(r"^(?P<number>.+?)(?P<ext>\s*(?:转|分机|ext\.?|x|#)\s*\d{1,6})$", re.IGNORECASE)
_PHONE_SEPARATORS = re.compile(r"(\s*[/,;，；、]\s*)")
_DISTRICT = re.compile(r"[区县市旗]")
_DISTRICT_WITHOUT_CITY = re.compile(r"[区县旗]")
_DISTRICT_REACH = 10  # a district name follows its city within this many characters
_BOUNDARY_BEFORE = r"(?<![0-9A-Za-z])"
_BOUNDARY_AFTER = r"(?![0-9A-Za-z])"
_MOBILE_IN_TEXT = re.compile(
    _BOUNDARY_BEFORE + r"(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}" + _BOUNDARY_AFTER, re.ASCII
)
_LANDLINE_IN_TEXT = re.compile(_BOUNDARY_BEFORE + r"0\d{2,3}-\d{7,8}" + _BOUNDARY_AFTER, re.ASCII)
_ID_IN_TEXT = re.compile(_BOUNDARY_BEFORE + r"\d{17}[0-9Xx]" + _BOUNDARY_AFTER, re.ASCII)


# --- masks -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def mask_id(value: Any) -> str:
    """110105199003070021 → 110105********0021: an ID of 15 or more characters keeps its first 6
    (the region) and last 4; a shorter one (passport E12345678 → E1*****78) its first and last 2,
    one of 4–7 characters its first and last 1, and anything shorter is all stars. "" for None."""
    text = _text(value)
    n = len(text)
    if n >= 15:
        head, tail = 6, 4
    elif n >= 8:
        head, tail = 2, 2
    elif n >= 4:
        head, tail = 1, 1
    else:
        return "*" * n
    return text[:head] + "*" * (n - head - tail) + text[-tail:]


def _mask_one_phone(text: str) -> str:
    extension = ""
    match = _PHONE_EXTENSION.match(text)
    if match and sum(ch.isdigit() for ch in match["number"]) >= 7:
        text, extension = match["number"], match["ext"]
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(digits) >= 8:
        hidden = set(digits[-8:-4])  # the 4 digits before the last 4
    elif len(digits) >= 4:
        hidden = set(digits[:-2])  # a short number keeps only its last 2 digits
    else:
        hidden = set(digits)
    return "".join("*" if i in hidden else ch for i, ch in enumerate(text)) + extension


def mask_phone(value: Any) -> str:
    """13800138000 → 138****8000, 0755-88886666 → 0755-****6666, +86 138 0013 8000 → +86 138 **** 8000
    (the 4 digits before the last 4 hidden, separators kept); an extension stays (…转801); several
    numbers in one value ("a / b") are masked each; fewer than 8 digits keep only the last 2."""
    text = _text(value)
    if not text:
        return ""
    parts = _PHONE_SEPARATORS.split(text)
    return "".join(part if i % 2 else _mask_one_phone(part) for i, part in enumerate(parts))


def mask_address(value: Any) -> str:
    """深圳市南山区科技园科苑路15号 → 深圳市南山区****: kept up to and including the first 区/县/市/旗
    after the city (广东省深圳市南山区…, 上海市浦东新区…, 苏州市昆山市…), or the city alone when no
    district follows it closely; without a city up to a 区/县 near the start; otherwise (or when
    that would be the whole address) the first 6 characters but never more than half."""
    text = _text(value)
    if not text:
        return ""
    keep = 0
    city = text.find("市")
    if city != -1:
        keep = city + 1
        district = _DISTRICT.search(text, keep, keep + _DISTRICT_REACH)
        if district:
            keep = district.end()
    else:
        district = _DISTRICT_WITHOUT_CITY.search(text, 0, _DISTRICT_REACH)
        keep = district.end() if district else 0
    if not keep or keep >= len(text):
        keep = min(6, len(text) // 2)
    return text[:keep] + _STARS


_MASKS = {ID: mask_id, PHONE: mask_phone, ADDRESS: mask_address}


def mask(kind: str, value: Any) -> str:
    """The value masked as its kind (ID, PHONE or ADDRESS)."""
    return _MASKS[kind](value)


def _looks_like_id(number: str) -> bool:
    """18 characters with a birth date where a resident ID has it (the check digit is not required:
    a mistyped ID is still someone's)."""
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def _id_in_text(match: re.Match[str]) -> str:
    number = match.group(0)
    return mask_id(number) if _looks_like_id(number) else number


def mask_text(text: str) -> str:
    """Free text with the mainland mobiles, landlines with area code (0755-88886666) and resident
    IDs in it masked: "客户电话13800138000" → "客户电话138****8000"."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    text = _ID_IN_TEXT.sub(_id_in_text, text)
    text = _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
    return _LANDLINE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


# --- what is personal --------------------------------------------------------------------------


def personal_fields(schema: Mapping[str, Any] | None) -> dict[str, str]:
    """{field name: kind} of a form schema's personal fields at any depth: fields with a
    cn-resident-id / cn-mobile / cn-phone format and fields named like DATA_KEYS."""
    found: dict[str, str] = {}
    if not isinstance(schema, Mapping):
        return found

    def walk(node: Any, depth: int) -> None:
        if not isinstance(node, Mapping) or depth > 20:
            return
        props = node.get("properties")
        for name, prop in (props if isinstance(props, Mapping) else {}).items():
            if not isinstance(prop, Mapping):
                continue
            target = _resolve(schema, prop)
            kind = FORMAT_KINDS.get(str(target.get("format", ""))) or DATA_KEYS.get(name)
            if kind is None and isinstance(target.get("items"), Mapping):
                kind = FORMAT_KINDS.get(str(_resolve(schema, target["items"]).get("format", "")))
            if kind is not None and target.get("type") not in ("object",):
                found[str(name)] = kind
            walk(target, depth + 1)
            if isinstance(target.get("items"), Mapping):
                walk(_resolve(schema, target["items"]), depth + 1)

    walk(schema, 0)
    return found


def _resolve(root: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    from forms.schema import resolve

    resolved = resolve(dict(root), dict(node))
    return resolved if isinstance(resolved, Mapping) else node


def version_fields(version: Any) -> dict[str, str]:
    """The personal fields of every form of a deployed flow version."""
    from engine import formstore
    from engine.models import ProcessFile

    found: dict[str, str] = {}
    names = ProcessFile.objects.filter(version_id=version.pk, name__endswith=".json").values_list(
        "name", flat=True
    )
    for name in names:
        found.update(personal_fields(formstore.form(version.pk, name)))
    return found


def kind_of(key: Any, fields: Mapping[str, str] | None = None) -> str | None:
    """The kind of a data key: from the given form fields, else from DATA_KEYS; None if not personal."""
    if not isinstance(key, str):
        return None
    return (fields or {}).get(key) or DATA_KEYS.get(key)


def _mask_value(value: Any, kind: str | None, fields: Mapping[str, str]) -> Any:
    if isinstance(value, Mapping):
        return {k: _mask_value(v, kind_of(k, fields), fields) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask_value(v, kind, fields) for v in value]
    if value is None or value == "" or isinstance(value, bool):
        return value
    if kind is not None and isinstance(value, (str, int, float)):
        return mask(kind, value)
    if isinstance(value, str):
        return mask_text(value)
    return value


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
    return _mask_value(data, None, known)


def mask_form(
    schema: Mapping[str, Any] | None,
    ui: Mapping[str, Any] | None,
    data: Mapping[str, Any],
    *,
    readonly: bool,
    typed: Iterable[str] = (),
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(data, UI schema, masked personal fields) to render a form with.

    Read-only fields (all of them when `readonly`) show personal values masked and other text
    through mask_text; an editable personal field shows its mask as the placeholder with an empty
    value, so that submitting it unchanged sends nothing (keep_stored keeps the stored value).
    Editable non-personal fields and what the user has just typed (`typed`) are left as they are."""
    from forms.schema import as_dict, is_read_only, properties, resolve

    shown, form_ui, masked = dict(data), dict(ui or {}), []
    if not isinstance(schema, Mapping):
        return shown, form_ui, masked
    fields = personal_fields(schema)
    skip = set(typed)
    for name, node in properties(dict(schema)).items():
        value = data.get(name)
        if name in skip or value in (None, "") or isinstance(value, bool):
            continue
        field_ui = as_dict(form_ui.get(name))
        locked = readonly or is_read_only(resolve(dict(schema), node), field_ui)
        kind = kind_of(name, fields)
        if locked:
            shown[name] = _mask_value(value, kind, fields)
            if kind is not None and shown[name] != value:
                masked.append(name)
        elif kind is not None and isinstance(value, (str, int)):
            del shown[name]
            form_ui[name] = {**field_ui, "ui:placeholder": mask(kind, value)}
            masked.append(name)
    return shown, form_ui, masked


def masked_keys(data: Any, fields: Mapping[str, str] | None = None) -> set[str]:
    """The keys (at any depth) whose values mask_data would change: which personal data it holds."""
    found: set[str] = set()
    known = fields or {}

    def walk(value: Any, key: str, kind: str | None) -> None:
        if isinstance(value, Mapping):
            for name, item in value.items():
                walk(item, str(name), kind_of(name, known))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item, key, kind)
        elif key and _mask_value(value, kind, known) != value:
            found.add(key)

    walk(data, "", None)
    return found


def may_hold_masks(submitted: Mapping[str, Any], fields: Mapping[str, str] | None = None) -> bool:
    """Whether keep_stored could change anything: some value has stars, or a personal field came
    back empty (so the stored data needs loading only then)."""
    for key, value in submitted.items():
        if isinstance(value, (str, dict, list)) and "*" in str(value):
            return True
        if value in (None, "") and kind_of(key, fields) is not None:
            return True
    return False


def keep_stored(
    submitted: Mapping[str, Any],
    stored: Mapping[str, Any],
    fields: Mapping[str, str] | None = None,
    *,
    empty_keeps: Iterable[str] = (),
) -> dict[str, Any]:
    """The submitted values with each one that is only what the user was shown of the stored value
    (its mask) replaced by the stored value, so a form sent back unchanged never stores stars.
    Fields named in `empty_keeps` (inputs that showed the mask as a placeholder) keep the stored
    value when submitted empty too."""
    result = dict(submitted)
    keep_empty = set(empty_keeps)
    for key, value in submitted.items():
        old = stored.get(key)
        if old in (None, "") or value == old:
            continue
        kind = kind_of(key, fields)
        shown = _mask_value(old, kind, fields or {})
        if (shown != old and value == shown) or (key in keep_empty and value in (None, "")):
            result[key] = old
    return result


def keep_stored_from_form(
    request: Any, submitted: Mapping[str, Any], stored: Mapping[str, Any], fields: Mapping[str, str]
) -> dict[str, Any]:
    """keep_stored for a posted form that showed the stored personal `fields` as placeholders:
    left empty or sent as the mask they keep the stored value, except the ones its user revealed
    (the page script posts their names as "_revealed"; honoured for holders of the permission),
    which are taken as typed, empty included."""
    revealed = set(request.POST.getlist("_revealed")) if may_see(request.user) else set()
    return keep_stored(submitted, stored, fields, empty_keeps=[k for k in fields if k not in revealed])


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


def _record(user: Any, details: dict[str, Any], instance: Any = None) -> None:
    from engine.audit import event
    from engine.models.audit import AuditAction

    event(
        AuditAction.REVEAL,
        instance=instance,
        actor=user,
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


def _customer(user: Any, pk: Any, field: str) -> Revealed:
    from webapp.realestate.access import access_customer

    if field not in CUSTOMER_FIELDS:
        raise Http404("not a personal field of a customer")
    customer = access_customer(user, pk)
    return Revealed(_text(getattr(customer, field)), _("Customer %(name)s") % {"name": customer.name})


def _flow_value(data: Mapping[str, Any], field: str, version: Any) -> str:
    if field not in data:
        raise Http404("no such field")
    value = data[field]
    if isinstance(value, (dict, list)) or value in (None, ""):
        raise Http404("not a personal value")
    if kind_of(field, version_fields(version)) is None and mask_text(str(value)) == str(value):
        raise Http404("not a personal value")
    return _text(value)


def _instance(user: Any, pk: Any, field: str) -> Revealed:
    from engine import access, inspect

    instance = access.access_instance(user, _pk(pk))
    value = _flow_value(inspect.snapshot(instance).data, field, instance.version)
    return Revealed(value, instance.business_key, instance)


def _task(user: Any, pk: Any, field: str) -> Revealed:
    from engine import access
    from webapp.pages.views import task_page_data

    task = access.access_task(user, _pk(pk))
    value = _flow_value(task_page_data(task), field, task.instance.version)
    return Revealed(value, f"{task.instance.business_key} · {task.name}", task.instance)


def _batch_room(user: Any, pk: Any, field: str) -> Revealed:
    from webapp.movein.access import access_batch_room

    if field != "owner_mobile":
        raise Http404("not a personal field of a move-in room")
    room = access_batch_room(user, pk)
    return Revealed(_text(room.owner_mobile), f"{room.batch.name} · {room.room.code}", room.instance)


REVEALERS = {"customer": _customer, "instance": _instance, "task": _task, "batch_room": _batch_room}


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("no such object") from None


def do_reveal(user: Any, kind: Any, pk: Any, field: Any) -> str:
    """The full value of one personal field of an object the user can see, with an audit event.

    NotAllowed (403) without the permission (checked first); FormInvalid (400) for a kind that is
    not one of REVEALERS; Http404 for another company's object, an object the user cannot see, or a
    field that is not personal data of it."""
    check_may_see(user)
    kind, field = _text(kind), _text(field)[:100]
    if kind not in REVEALERS:
        raise FormInvalid({"kind": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(REVEALERS)}]})
    if not field:
        raise FormInvalid({"field": [_("This field is required.")]})
    revealed = REVEALERS[kind](user, pk, field)
    _record(user, {"kind": kind, "id": _pk(pk), "field": field, "object": revealed.label}, revealed.instance)
    return revealed.value
