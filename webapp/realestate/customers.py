"""Customers (客户): the 考核要点 rules, saving and search.

Every path that writes a customer (API, pages, Excel import, the sales flow's hooks) goes
through `check_customer` / `save_customer`, so the rules live here once:

- required (DOMAIN.md): name, customer type, nationality, ID type, ID number, address; gender and
  birth date for individuals (derived from a resident ID when left empty); the employee flag
  defaults to no;
- at least one of mobile / office / home phone (the error is reported on "mobile"); a mobile must
  be a mainland mobile number, office and home phones any mainland number (area code needed);
- a resident ID (GB 11643-1999) must have the right check digit and a real birth date, and the
  gender and birth date entered must agree with its digits;
- individuals of Chinese nationality are identified by their resident ID; a business licence is
  for companies only, and companies use a business licence (or "other");
- a postcode, when given, has 6 digits.

Values may come as typed strings (forms, Excel, API) or as Python values (dates, booleans); choice
fields accept the stored value or its Chinese label (个人, 男, 居民身份证 …).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import FormInvalid
from forms.formats import (
    FormatProblem,
    is_cn_mobile,
    is_cn_phone,
    normalize_resident_id,
    resident_id_birth_date,
    resident_id_gender,
)
from forms.text import clean_text, control_message

from .models import Customer, CustomerType, Gender, IdType

FIELDS = (
    "name",
    "customer_type",
    "nationality",
    "is_group_employee",
    "id_type",
    "id_number",
    "birth_date",
    "gender",
    "mobile",
    "office_phone",
    "home_phone",
    "address",
    "postcode",
)
PHONE_FIELDS = ("mobile", "office_phone", "home_phone")
CHINA = "中国"
# What people type for the People's Republic; stored as 中国.
CHINA_ALIASES = frozenset({"中国", "中华人民共和国", "中国大陆", "china", "cn", "chn", "prc"})

_SHANGHAI = ZoneInfo("Asia/Shanghai")
_EARLIEST_BIRTH = dt.date(1900, 1, 1)
_POSTCODE = re.compile(r"\d{6}", re.ASCII)
_OTHER_ID = re.compile(r"[A-Z0-9()（）\-]{4,40}", re.ASCII)
_EXTENSION = re.compile(r"^(?P<number>.+?)\s*(?:转|分机|ext\.?|x|-)\s*(?P<ext>\d{1,6})$", re.IGNORECASE)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_TRUE = frozenset({"1", "true", "yes", "y", "on", "是", "√"})
_FALSE = frozenset({"", "0", "false", "no", "n", "off", "否", "×"})
_ALIASES: dict[str, dict[str, str]] = {
    "customer_type": {"个人": "individual", "公司": "company", "企业": "company", "单位": "company"},
    "gender": {"男": "male", "女": "female", "m": "male", "f": "female"},
    "id_type": {"身份证": "resident_id", "居民身份证": "resident_id", "护照": "passport",
                "港澳通行证": "hk_macao_permit", "台胞证": "taiwan_permit", "营业执照": "business_license",
                "统一社会信用代码": "business_license", "其他": "other"},
}  # fmt: skip
_CHOICES = {"customer_type": CustomerType, "gender": Gender, "id_type": IdType}


def _max_length(field: str) -> int:
    return int(Customer._meta.get_field(field).max_length or 0)


def as_text(value: Any) -> str:
    """A typed value as stripped text: None → "", 15.0 → "15", dates in ISO form. Control
    characters are kept for normalize_customer to refuse."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _today() -> dt.date:
    return clock.now().astimezone(_SHANGHAI).date()


def _choice(field: str, text: str) -> str | None:
    """The stored value of a choice typed as its value or its label; None when unknown."""
    choices = _CHOICES[field]
    lowered = text.lower()
    if lowered in choices.values:
        return lowered
    for value, label in choices.choices:
        if text == label:
            return value
    return _ALIASES[field].get(text) or _ALIASES[field].get(lowered)


def _date(value: Any) -> dt.date | None:
    """A birth date from a date, a datetime (Excel) or text in a common format; None if unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = as_text(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar day, no time)
        except ValueError:
            continue
    return None


def normalize_mobile(text: str) -> str:
    """A valid mainland mobile as its 11 digits (spaces, dashes and +86 dropped)."""
    return str(phonenumbers.parse(text, "CN").national_number)


def normalize_phone(text: str) -> str | None:
    """A mainland phone in one canonical form, or None when it is not one.

    Mobiles become their 11 digits; fixed lines 0755-88881234 (area code, dash, number); service
    numbers 400-800-0001; an extension is kept after 转 (0755-88881234转801)."""
    extension = ""
    if not is_cn_phone(text):
        match = _EXTENSION.match(text)
        if not match or not is_cn_phone(match["number"]):
            return None
        text, extension = match["number"], match["ext"]
    number = phonenumbers.parse(text, "CN")
    if is_cn_mobile(text):
        formatted = str(number.national_number)
    else:
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        area_length = phonenumbers.length_of_geographical_area_code(number)
        if area_length:
            area, _sep, rest = national.partition(" ")
            formatted = f"{area}-{rest.replace(' ', '')}"
        else:
            formatted = national.replace(" ", "-")
    return f"{formatted}转{extension}" if extension else formatted


def normalize_customer(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(normalised values, field errors) of a customer record; see the module docstring. The values
    are only meaningful for the fields without errors."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in FIELDS:
        problem = control_message(as_text(data.get(field)))
        if problem:  # refused here, for API, pages and imports alike (PostgreSQL refuses NUL)
            fail(field, problem)
    if errors:
        return values, errors
    text = {field: as_text(data.get(field)) for field in FIELDS if field not in ("birth_date",)}
    for field in ("name", "nationality", "id_number", "address", "mobile", "office_phone", "home_phone",
                  "postcode"):  # fmt: skip
        limit = _max_length(field)
        if len(text[field]) > limit:
            fail(field, _("Ensure this value has at most %(max)d characters.") % {"max": limit})

    for field in ("name", "customer_type", "nationality", "id_type", "id_number", "address"):
        if not text[field]:
            fail(field, _("This field is required."))
    values["name"] = text["name"]
    values["address"] = text["address"]
    values["nationality"] = CHINA if text["nationality"].lower() in CHINA_ALIASES else text["nationality"]

    for field in ("customer_type", "id_type", "gender"):
        values[field] = ""
        if text[field]:
            choice = _choice(field, text[field])
            if choice is None:
                labels = ", ".join(f"{value} ({label})" for value, label in _CHOICES[field].choices)
                fail(field, _("Choose one of: %(choices)s.") % {"choices": labels})
            else:
                values[field] = choice

    flag = text["is_group_employee"].lower()
    if flag not in _TRUE and flag not in _FALSE:
        fail("is_group_employee", _("Enter yes (是) or no (否)."))
    values["is_group_employee"] = flag in _TRUE

    birth_date = None
    if as_text(data.get("birth_date")):
        birth_date = _date(data.get("birth_date"))
        if birth_date is None:
            fail("birth_date", _("Enter a date such as 1990-01-31."))
        elif birth_date > _today():
            fail("birth_date", _("The birth date cannot be in the future."))
        elif birth_date < _EARLIEST_BIRTH:
            fail("birth_date", _("The birth date cannot be before 1900."))
    values["birth_date"] = birth_date

    individual = values["customer_type"] != CustomerType.COMPANY
    id_type = values["id_type"]
    id_number = text["id_number"].replace(" ", "").upper()
    values["id_number"] = id_number
    if id_type == IdType.RESIDENT_ID and id_number:
        try:
            id_number = values["id_number"] = normalize_resident_id(id_number, today=_today())
        except FormatProblem as exc:
            fail("id_number", str(exc))
        else:
            _agree_with_resident_id(id_number, values, fail)
    elif id_type and id_number and not _OTHER_ID.fullmatch(id_number):
        fail("id_number", _("Enter the certificate number: letters, digits, brackets or hyphens."))

    if values["customer_type"] == CustomerType.COMPANY:
        values["gender"], values["birth_date"] = "", None  # a company has neither
        if id_type and id_type not in (IdType.BUSINESS_LICENSE, IdType.OTHER):
            fail("id_type", _("A company is identified by its business licence (or another certificate)."))
    elif values["customer_type"]:
        if id_type == IdType.BUSINESS_LICENSE:
            fail("id_type", _("A business licence identifies a company, not a person."))
        elif id_type and id_type != IdType.RESIDENT_ID and values["nationality"] == CHINA:
            fail("id_type", _("Chinese citizens are identified by their resident ID card."))
        if id_type != IdType.RESIDENT_ID and "id_type" not in errors:  # a resident ID supplies both
            for field in ("gender", "birth_date"):
                if not values[field] and field not in errors:
                    fail(field, _("This field is required."))

    for field in PHONE_FIELDS:
        values[field] = text[field]
        if not text[field] or field in errors:
            continue
        if field == "mobile":
            if is_cn_mobile(text[field]):
                values[field] = normalize_mobile(text[field])
            else:
                fail(field, _("Enter a valid mobile number, e.g. 13800138000."))
        else:
            phone = normalize_phone(text[field])
            if phone is None:
                fail(field, _("Enter a valid phone number with its area code, e.g. 0755-88881234."))
            else:
                values[field] = phone
    if not any(text[field] for field in PHONE_FIELDS):
        fail("mobile", _("Enter at least one phone number: mobile, office or home phone."))

    values["postcode"] = text["postcode"]
    if text["postcode"] and not _POSTCODE.fullmatch(text["postcode"]):
        fail("postcode", _("A postcode has 6 digits."))
    if not individual:
        values["is_group_employee"] = False
    return values, errors


def _agree_with_resident_id(number: str, values: dict[str, Any], fail: Any) -> None:
    """Fill an empty gender / birth date from a valid resident ID, or report disagreement."""
    gender = resident_id_gender(number)
    born = resident_id_birth_date(number)
    if values["customer_type"] == CustomerType.COMPANY:
        return
    if not values["gender"]:
        values["gender"] = gender
    elif values["gender"] != gender:
        fail(
            "gender",
            _("The gender does not agree with the ID number (%(gender)s).")
            % {"gender": _("Male") if gender == Gender.MALE else _("Female")},
        )
    if values["birth_date"] is None:
        values["birth_date"] = born
    elif values["birth_date"] != born:
        fail(
            "birth_date",
            _("The birth date does not agree with the ID number (%(date)s).") % {"date": born.isoformat()},
        )


def check_customer(data: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors of a customer record given as {Customer field name: value}; {} when valid.

    Gender and birth date may be left empty with a valid resident ID (save_customer fills them
    in). Uniqueness of the ID within a company is checked by save_customer, which knows the company.
    """
    return normalize_customer(data)[1]


def customer_data(customer: Customer) -> dict[str, Any]:
    """A saved customer as the dict check_customer / save_customer take."""
    return {field: getattr(customer, field) for field in FIELDS}


def audit_problems(customer: Customer) -> dict[str, list[str]]:
    """The 考核要点 audit of a saved customer: the same rules as check_customer, {} when fine.

    A stored record without gender or birth date is a problem even when the ID could supply
    them (the audit looks at what is on file)."""
    problems = dict(check_customer(customer_data(customer)))
    if customer.customer_type != CustomerType.COMPANY:
        for field in ("gender", "birth_date"):
            if not getattr(customer, field) and field not in problems:
                problems[field] = [_("This field is required.")]
    return problems


def cleaned_customer(data: dict[str, Any]) -> dict[str, Any]:
    """The normalised values of a valid record (resident ID upper-case, phones canonical, gender
    and birth date filled from a resident ID); raises FormInvalid with the field errors."""
    values, errors = normalize_customer(data)
    if errors:
        raise FormInvalid(errors)
    return values


def duplicate_of(
    company: Any, id_type: str, id_number: str, exclude_pk: int | None = None
) -> Customer | None:
    """The company's customer already holding this ID, if any."""
    found = Customer.objects.filter(company=company, id_type=id_type, id_number=id_number)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.order_by("pk").first()


def duplicate_message(existing: Customer) -> str:
    return _("Customer %(name)s (no. %(id)s) already has this ID number.") % {
        "name": existing.name,
        "id": existing.pk,
    }


def save_customer(
    company: Any, user: Any, data: dict[str, Any], instance: Customer | None = None
) -> Customer:
    """Check, normalise and save a customer of `company`; returns the saved row.

    With `instance`, `data` holds the fields to change (the others keep their values); when the
    ID changes and gender / birth date are not given, they are derived from the new ID again.
    Raises FormInvalid with field errors for invalid data and, on id_number, for an ID another
    customer of the company already holds.
    """
    if instance is not None:
        if instance.company_id != getattr(company, "pk", company):
            raise ValueError("the customer belongs to another company")
        merged = customer_data(instance)
        changes = {k: v for k, v in data.items() if k in FIELDS}
        if {"id_type", "id_number"} & changes.keys():
            for field in ("gender", "birth_date"):
                if field not in changes:
                    merged[field] = None
        merged.update(changes)
        data = merged
    values = cleaned_customer(data)
    exclude = instance.pk if instance is not None else None
    existing = duplicate_of(company, values["id_type"], values["id_number"], exclude)
    if existing is not None:
        raise FormInvalid({"id_number": [duplicate_message(existing)]})
    customer = instance or Customer(company=company, created_at=clock.now(), created_by=_user_or_none(user))
    for field, value in values.items():
        setattr(customer, field, value)
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:  # someone saved the same ID between the check and the save
        existing = duplicate_of(company, values["id_type"], values["id_number"], exclude)
        if existing is None:
            raise
        raise FormInvalid({"id_number": [duplicate_message(existing)]}) from None
    return customer


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _phone_digits(field: str) -> Replace:
    stripped = Replace(field, Value("-"), Value(""))
    return Replace(Replace(stripped, Value(" "), Value("")), Value("转"), Value(""))


def search_customers(company: Any, q: str) -> QuerySet[Customer]:
    """The company's customers matching `q` in any field, most recent first (filter_customers)."""
    return filter_customers(Customer.objects.filter(company=company), q)


def filter_customers(customers: QuerySet[Customer], q: str) -> QuerySet[Customer]:
    """The customers matching `q` in any field, most recent first.

    Each word of `q` must match name, pinyin ("zhangsan"), initials ("zs"), ID number, any phone
    (separators ignored) or address, case-insensitively; the whole query without spaces also
    matches the pinyin ("zhang san")."""
    q = clean_text(q, 100)
    if q:
        customers = customers.annotate(
            _mobile=_phone_digits("mobile"),
            _office=_phone_digits("office_phone"),
            _home=_phone_digits("home_phone"),
        )
        condition = Q()
        for word in q.split():
            condition &= _word_matches(word)
        joined = "".join(q.split()).lower()
        if joined.isascii() and joined.isalpha():
            condition |= Q(name_pinyin__icontains=joined)
        customers = customers.filter(condition)
    return customers.order_by("-created_at", "-pk")


def _word_matches(word: str) -> Q:
    match = (
        Q(name__icontains=word)
        | Q(id_number__icontains=word.upper())
        | Q(address__icontains=word)
        | Q(mobile__icontains=word)
        | Q(office_phone__icontains=word)
        | Q(home_phone__icontains=word)
    )
    if word.isascii() and word.isalpha():
        lowered = word.lower()
        match |= Q(name_pinyin__icontains=lowered) | Q(name_initials__icontains=lowered)
    digits = _digits(word)
    if len(digits) >= 3 and len(digits) >= len(word) - 3:
        match |= Q(_mobile__contains=digits) | Q(_office__contains=digits) | Q(_home__contains=digits)
    return match
