"""Pages of master data: 客户 customers (search, create, edit), 房源 the 销控表 sales control chart,
导入 Excel imports with a progress bar. Thin views over customers.py and imports.py; another
company's rows are 404."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engine.errors import FormInvalid
from webapp import privacy
from webapp.accounts.models import Project
from webapp.common import spreadsheet
from webapp.common.errors import engine_errors
from webapp.common.filters import Field, FilterBar
from webapp.common.params import param

from . import access, customers, import_errors, import_kinds, imports
from .api import upload_import
from .models import Building, CustomerType, Gender, IdType, ImportStatus, Room, RoomStatus
from .options import natural_key

PAGE_SIZE = 50
RECENT_JOBS = 20

ROOM_STATUS_LABELS = {
    RoomStatus.AVAILABLE: gettext_lazy("Available"),
    RoomStatus.SUBSCRIBED: gettext_lazy("Subscribed"),
    RoomStatus.CONTRACTED: gettext_lazy("Contracted"),
    RoomStatus.DELIVERED: gettext_lazy("Delivered"),
}
IMPORT_STATUS_LABELS = {
    ImportStatus.QUEUED: gettext_lazy("Queued"),
    ImportStatus.VALIDATING: gettext_lazy("Checking rows"),
    ImportStatus.IMPORTING: gettext_lazy("Importing"),
    ImportStatus.DONE: gettext_lazy("Done"),
    ImportStatus.FAILED: gettext_lazy("Failed"),
}
IMPORT_STATUS_BADGES = {ImportStatus.DONE: "success", ImportStatus.FAILED: "danger"}


# --- customers ---------------------------------------------------------------------------------


@require_GET
@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    q = param(request.GET, "q")
    found = access.search_customers(request.user, q)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    hint = _("Name, pinyin or initials (zs), ID number, phone, address")
    search = Field("search", "q", _("Search"), q, width="col-9 col-md-6", autofocus=True, placeholder=hint)
    bar = FilterBar(
        id="customer-search",
        role="search",
        fields=[search],
        actions_width="col-3 col-md-2",
        submit=_("Search"),
        reset="?" if q else None,  # Reset only once there is a search to reset
    )
    return render(request, "realestate/customers.html", {"page": page, "q": q, "filter_bar": bar})


@dataclass
class FormField:
    name: str
    label: Any
    kind: str = "text"  # text | select | date | checkbox
    choices: list[tuple[str, Any]] = field(default_factory=list)
    required: bool = False
    help: Any = ""
    width: str = "col-md-4"
    value: Any = ""
    errors: list[str] = field(default_factory=list)
    placeholder: str = ""  # a stored personal value, masked (the input itself is left empty)


def _customer_fields() -> list[FormField]:
    return [
        FormField("name", _("Customer name"), required=True),
        FormField(
            "customer_type",
            _("Customer type"),
            "select",
            [(CustomerType.INDIVIDUAL, _("Individual")), (CustomerType.COMPANY, _("Company"))],
            required=True,
        ),
        FormField("nationality", _("Nationality"), required=True, help=_("e.g. 中国")),
        FormField(
            "id_type",
            _("ID type"),
            "select",
            [
                (IdType.RESIDENT_ID, _("Resident ID card")),
                (IdType.PASSPORT, _("Passport")),
                (IdType.HK_MACAO_PERMIT, _("Mainland travel permit for Hong Kong and Macao residents")),
                (IdType.TAIWAN_PERMIT, _("Mainland travel permit for Taiwan residents")),
                (IdType.BUSINESS_LICENSE, _("Business licence")),
                (IdType.OTHER, _("Other")),
            ],
            required=True,
        ),
        FormField("id_number", _("ID number"), required=True, help=_("18 characters for a resident ID")),
        FormField(
            "gender",
            _("Gender"),
            "select",
            [("", "—"), (Gender.MALE, _("Male")), (Gender.FEMALE, _("Female"))],
            help=_("Taken from a resident ID when left empty"),
        ),
        FormField("birth_date", _("Birth date"), "date", help=_("Taken from a resident ID when left empty")),
        FormField("mobile", _("Mobile phone"), help=_("At least one of the three phones")),
        FormField("office_phone", _("Office phone"), help=_("With area code, e.g. 0755-88881234")),
        FormField("home_phone", _("Home phone")),
        FormField("address", _("Address"), required=True, width="col-md-8"),
        FormField("postcode", _("Postcode")),
        FormField("is_group_employee", _("Group employee"), "checkbox"),
    ]


def _posted_customer(request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {name: request.POST.get(name, "") for name in customers.FIELDS}
    data["is_group_employee"] = request.POST.get("is_group_employee") == "on"
    return data


def _customer_page(
    request: HttpRequest,
    customer: Any,
    data: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    typed: set[str] | None = None,
) -> HttpResponse:
    """The customer form. A saved customer's ID, phones and address are never put in the inputs:
    each shows its mask as the placeholder (with a "显示" button for those who may see it), and an
    input left empty keeps the stored value. What the user has just typed (`typed`) stays as typed."""
    fields = _customer_fields()
    for form_field in fields:
        value = data.get(form_field.name)
        kind = privacy.CUSTOMER_FIELDS.get(form_field.name)
        if customer is not None and kind and form_field.name not in (typed or set()):
            stored = getattr(customer, form_field.name)
            form_field.placeholder = privacy.mask(kind, stored)
            value = ""
        form_field.value = (
            value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else value)
        )
        form_field.errors = (errors or {}).get(form_field.name, [])
    known = {f.name for f in fields}
    other_errors = [m for name, msgs in (errors or {}).items() if name not in known for m in msgs]
    problems = customers.audit_problems(customer) if customer is not None and not errors else {}
    labels = {f.name: f.label for f in fields}
    context = {
        "customer": customer,
        "fields": fields,
        "errors": errors or {},
        "other_errors": other_errors,
        "problems": [(labels.get(name, name), msgs) for name, msgs in problems.items()],
    }
    return render(request, "realestate/customer_form.html", context, status=status)


def _save_customer_from_post(request: HttpRequest, customer: Any) -> HttpResponse:
    company = access.require_company(request.user)
    if customer is None:
        access.check_may_add_customer(request.user)
    else:
        access.check_may_change_customer(request.user)
    data = _posted_customer(request)
    typed: set[str] = set()
    if customer is not None:  # personal inputs were shown empty (the mask as placeholder)
        stored = customers.customer_data(customer)
        data = privacy.keep_stored_from_form(request, data, stored, privacy.CUSTOMER_FIELDS)
        typed = {name for name in privacy.CUSTOMER_FIELDS if data.get(name) != stored.get(name)}
    try:
        saved = customers.save_customer(company, request.user, data, customer)
    except FormInvalid as exc:
        return _customer_page(request, customer, data, exc.field_errors, status=exc.status, typed=typed)
    messages.success(request, _("Saved customer %(name)s.") % {"name": saved.name})
    return redirect(f"{reverse('customers')}?{urlencode({'q': saved.name})}")


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def customer_new(request: HttpRequest) -> HttpResponse:
    access.require_company(request.user)
    if request.method == "POST":
        return _save_customer_from_post(request, None)
    defaults = {
        "customer_type": CustomerType.INDIVIDUAL,
        "nationality": customers.CHINA,
        "id_type": IdType.RESIDENT_ID,
    }
    return _customer_page(request, None, defaults)


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access.access_customer(request.user, pk)
    if request.method == "POST":
        return _save_customer_from_post(request, customer)
    return _customer_page(request, customer, customers.customer_data(customer))


# --- rooms: 销控表 -------------------------------------------------------------------------------


@dataclass
class UnitColumns:
    unit: Any
    positions: list[str]


def _position(room: Room, floor_number: int) -> str:
    """Where a room sits on its floor: 1502 on floor 15 → "02", so 1502 and 1602 share a column."""
    prefix = str(floor_number)
    return (
        room.name[len(prefix) :]
        if room.name.startswith(prefix) and len(room.name) > len(prefix)
        else room.name
    )


def _chart(building: Building) -> dict[str, Any]:
    rooms = list(
        Room.objects.filter(floor__unit__building=building)
        .select_related("floor__unit", "project")
        .order_by("pk")
    )
    units: dict[int, Any] = {}
    positions: dict[int, set[str]] = {}
    cells: dict[tuple[int, int, str], Room] = {}
    floor_numbers: set[int] = set()
    for room in rooms:
        unit = room.floor.unit
        units[unit.pk] = unit
        spot = _position(room, room.floor.number)
        positions.setdefault(unit.pk, set()).add(spot)
        cells[(room.floor.number, unit.pk, spot)] = room
        floor_numbers.add(room.floor.number)
        room.status_label = ROOM_STATUS_LABELS.get(room.status, room.status)
    columns = [
        UnitColumns(unit, sorted(positions[pk], key=natural_key))
        for pk, unit in sorted(units.items(), key=lambda item: natural_key(item[1].code))
    ]
    rows = [
        (number, [cells.get((number, col.unit.pk, spot)) for col in columns for spot in col.positions])
        for number in sorted(floor_numbers, reverse=True)
    ]
    return {
        "columns": columns,
        "rows": rows,
        "counts": Counter(room.status for room in rooms),
        "total": len(rooms),
    }


@require_GET
@login_required
def room_chart(request: HttpRequest) -> HttpResponse:
    company_id = access.company_id_of(request.user)
    projects = list(Project.objects.filter(company_id=company_id).order_by("code")) if company_id else []
    wanted = request.GET.get("project", "")
    project = next(
        (p for p in projects if p.code == wanted or str(p.pk) == wanted), projects[0] if projects else None
    )
    buildings: list[Building] = []
    if project is not None:
        buildings = sorted(
            Building.objects.filter(phase__project=project).select_related("phase"),
            key=lambda b: (natural_key(b.phase.code), natural_key(b.code)),
        )
    wanted_building = request.GET.get("building", "")
    building = next(
        (b for b in buildings if str(b.pk) == wanted_building), buildings[0] if buildings else None
    )
    chart = (
        _chart(building)
        if building is not None
        else {"columns": [], "rows": [], "counts": Counter(), "total": 0}
    )
    project_counts: Counter[str] = Counter()
    if project is not None:
        for row in Room.objects.filter(project=project).values("status").annotate(n=Count("pk")).order_by():
            project_counts[row["status"]] = row["n"]
    legend = [
        (status, ROOM_STATUS_LABELS[status], chart["counts"].get(status, 0), project_counts.get(status, 0))
        for status in RoomStatus.values
    ]
    return render(
        request,
        "realestate/rooms.html",
        {
            "projects": projects,
            "project": project,
            "buildings": buildings,
            "building": building,
            "chart": chart,
            "legend": legend,
            "project_total": sum(project_counts.values()),
        },
    )


# --- imports -----------------------------------------------------------------------------------


def _imports_page(
    request: HttpRequest, errors: dict[str, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    jobs = list(
        access.visible_import_jobs(request.user)
        .defer("content", "errors")
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:RECENT_JOBS]
    )
    for job in jobs:
        job.status_label = IMPORT_STATUS_LABELS.get(job.status, job.status)
        job.badge = IMPORT_STATUS_BADGES.get(job.status, "secondary")
        job.kind_label = import_kinds.label(job.kind)
    importable = access.importable_kinds(request.user)
    context = {
        "jobs": jobs,
        "errors": errors or {},
        "kinds": [(spec.kind, spec.label) for spec in import_kinds.registered() if spec.kind in importable],
        "posted_kind": request.POST.get("kind", "") if request.method == "POST" else "",
        "max_mb": f"{settings.ANJU_MAX_UPLOAD_BYTES / 1048576:g}",
    }
    return render(request, "realestate/imports.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def import_list(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _imports_page(request)
    company = access.require_company(request.user)
    try:
        job = upload_import(request, company)
    except FormInvalid as exc:
        return _imports_page(request, exc.field_errors, status=exc.status)
    return redirect("import_job", pk=job.pk)


@require_GET
@login_required
@engine_errors
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = imports.refresh_if_stale(access.access_import_job(request.user, pk))
    job.status_label = IMPORT_STATUS_LABELS.get(job.status, job.status)
    job.kind_label = import_kinds.label(job.kind)
    labels = {key: str(label) for key, label in IMPORT_STATUS_LABELS.items()}
    return render(
        request,
        "realestate/import_job.html",
        {"job": job, "status_labels": labels, "api_url": reverse("import-job-detail", args=[job.pk])},
    )


@require_POST
@login_required
@engine_errors
def import_job_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.access_import_job(request.user, pk)
    rerun = imports.rerun_skipping_bad_rows(request.user, job)
    imports.start_import_job(rerun)
    return redirect("import_job", pk=rerun.pk)


@require_GET
@login_required
@engine_errors
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    access.check_may_import(request.user, kind)
    content = imports.template_workbook(kind)
    response = HttpResponse(content, content_type=imports.XLSX_CONTENT_TYPE)
    name = import_kinds.get(kind).template_file_name
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@login_required
@engine_errors
def import_job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's error file: its bad rows with a 问题 column, to fix in Excel and upload again."""
    job = access.access_import_job(request.user, pk, with_content=True)
    if not job.errors:
        raise Http404("this import has no errors")
    content = import_errors.error_file(request.user, job)
    return spreadsheet.attachment(content, spreadsheet.XLSX_CONTENT_TYPE, f"import-{job.pk}-errors.xlsx")
