"""Masks for personal data (个人信息, PIPL), pure: no database, no request, no permission.

Resident IDs, phone numbers and addresses are shown masked: 110105********0021, 138****8000,
深圳市南山区****. What is personal:
- a customer's fields (CUSTOMER_FIELDS);
- flow data keys (DATA_KEYS: customer_mobile, owner_mobile, customer_id_number …);
- any form field whose schema format is cn-resident-id, cn-mobile or cn-phone (personal_fields);
- in any other text, what has the shape of a mainland mobile, a landline with its area code or a
  resident ID (18 characters with a birth date in place; mask_text): free text and service-call
  parameters carry phone numbers too ("客户电话 13800138000", an SMS's "to").

Masks are for showing only: a masked value that comes back in a write (a form left as it was, an
API client echoing what it read) means "unchanged" (keep_stored), never "store the stars".

The engine masks case titles with mask_text; webapp.privacy adds who may see data in full, the
audit of every reveal, and re-exports these names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from forms.formats import CN_MOBILE, CN_PHONE, CN_RESIDENT_ID
from forms.schema import as_dict, is_read_only, properties, resolve

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


def as_text(value: Any) -> str:
    """The value as stripped text; "" for None."""
    return "" if value is None else str(value).strip()


def mask_id(value: Any) -> str:
    """110105199003070021 → 110105********0021: an ID of 15 or more characters keeps its first 6
    (the region) and last 4; a shorter one (passport E12345678 → E1*****78) its first and last 2,
    one of 4–7 characters its first and last 1, and anything shorter is all stars. "" for None."""
    text = as_text(value)
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
    text = as_text(value)
    if not text:
        return ""
    parts = _PHONE_SEPARATORS.split(text)
    return "".join(part if i % 2 else _mask_one_phone(part) for i, part in enumerate(parts))


def mask_address(value: Any) -> str:
    """深圳市南山区科技园科苑路15号 → 深圳市南山区****: kept up to and including the first 区/县/市/旗
    after the city (广东省深圳市南山区…, 上海市浦东新区…, 苏州市昆山市…), or the city alone when no
    district follows it closely; without a city up to a 区/县 near the start; otherwise (or when
    that would be the whole address) the first 6 characters but never more than half."""
    text = as_text(value)
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
    resolved = resolve(dict(root), dict(node))
    return resolved if isinstance(resolved, Mapping) else node


def kind_of(key: Any, fields: Mapping[str, str] | None = None) -> str | None:
    """The kind of a data key: from the given form fields, else from DATA_KEYS; None if not personal."""
    if not isinstance(key, str):
        return None
    return (fields or {}).get(key) or DATA_KEYS.get(key)


def mask_value(value: Any, kind: str | None, fields: Mapping[str, str]) -> Any:
    """The value masked as `kind` (personal), else its text through mask_text; dicts and lists item
    by item, each key's kind from `fields` or DATA_KEYS."""
    if isinstance(value, Mapping):
        return {k: mask_value(v, kind_of(k, fields), fields) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_value(v, kind, fields) for v in value]
    if value is None or value == "" or isinstance(value, bool):
        return value
    if kind is not None and isinstance(value, (str, int, float)):
        return mask(kind, value)
    if isinstance(value, str):
        return mask_text(value)
    return value


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
    shown, form_ui = dict(data), dict(ui or {})
    masked: list[str] = []
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
            shown[name] = mask_value(value, kind, fields)
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
        elif key and mask_value(value, kind, known) != value:
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
        shown = mask_value(old, kind, fields or {})
        if (shown != old and value == shown) or (key in keep_empty and value in (None, "")):
            result[key] = old
    return result
