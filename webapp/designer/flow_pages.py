"""Pages about deployed flows for analysts: the versions of a flow (who, when, note, running
instances; export as .bpmn and .svg), the difference of two versions drawn on their diagrams,
moving running instances to another version (dry run, then a background job with a progress bar)
and where work waits (a heatmap on the diagram, click an element for its instances).

Thin views over engine.migration and engine.waits; the dry run and the job go through the same
functions as the API."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from engine import access, clock, inspect, migration, waits
from engine.errors import BadRequest, Conflict, NotAllowed
from engine.ids import parse_id
from engine.models import MigrationJob, ProcessVersion
from engine.models.runtime import InstanceStatus
from forms.text import clean_text
from webapp.common.display import element_name
from webapp.common.errors import engine_errors, message

from . import version_diff

UNFINISHED = [InstanceStatus.RUNNING, InstanceStatus.INCIDENT]


def _require_analyst(user: Any) -> None:
    access.require_deploy(user)


def _versions(key: str, company_id: int) -> list[ProcessVersion]:
    if "\x00" in key:  # no flow key holds a NUL (and PostgreSQL cannot compare one)
        raise Http404("no such flow")
    running = Q(instances__company_id=company_id, instances__status__in=UNFINISHED)
    mine = Q(instances__company_id=company_id)
    rows = list(
        ProcessVersion.objects.filter(key=key).defer("spec_json").select_related("deployed_by")
        .annotate(running=Count("instances", filter=running, distinct=True),
                  instance_count=Count("instances", filter=mine, distinct=True))
        .order_by("-version")
    )  # fmt: skip
    if not rows:
        raise Http404("no such flow")
    return rows


def _pick(rows: list[ProcessVersion], value: Any, default: ProcessVersion | None) -> ProcessVersion | None:
    for row in rows:
        if str(row.pk) == str(value):
            return row
    return default


def _xml(version: ProcessVersion) -> str:
    return inspect.main_bpmn(version.pk)[1]


@require_GET
@login_required
@engine_errors
def flow_versions(request: HttpRequest, key: str) -> HttpResponse:
    _require_analyst(request.user)
    rows = _versions(key, request.user.company_id)
    for newer, older in itertools.pairwise(rows):
        newer.previous_pk = older.pk  # type: ignore[attr-defined]  (the "changes" link compares the two)
    return render(
        request, "designer/flow_versions.html",
        {"key": key, "versions": rows, "latest": rows[0], "latest_xml": _xml(rows[0])},
    )  # fmt: skip


@require_GET
@login_required
@engine_errors
def version_bpmn(request: HttpRequest, pk: int) -> HttpResponse:
    """The version's BPMN file as a download."""
    _require_analyst(request.user)
    version = ProcessVersion.objects.defer("spec_json").filter(pk=pk).first()
    if version is None:
        raise Http404("no such version")
    name, xml = inspect.main_bpmn(version.pk)
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    stem = name.rsplit(".", 1)[0]
    response["Content-Disposition"] = f'attachment; filename="{stem}-v{version.version}.bpmn"'
    return response


@require_GET
@login_required
@engine_errors
def flow_compare(request: HttpRequest, key: str) -> HttpResponse:
    _require_analyst(request.user)
    rows = _versions(key, request.user.company_id)
    target = _pick(rows, request.GET.get("target"), rows[0])
    source = _pick(rows, request.GET.get("source"), rows[1] if len(rows) > 1 else rows[0])
    assert source is not None and target is not None
    same = source.pk == target.pk
    diff = version_diff.VersionDiff([], [], []) if same else version_diff.compare(source, target)
    changed = diff.ids("changed")
    return render(request, "designer/flow_compare.html", {
        "key": key, "versions": rows, "source": source, "target": target, "diff": diff,
        "source_xml": _xml(source), "target_xml": _xml(target),
        "source_markers": {"removed": diff.ids("removed"), "changed": changed},
        "target_markers": {"added": diff.ids("added"), "changed": changed},
    })  # fmt: skip


def _instances_form(request: HttpRequest) -> list[int]:
    ids = []
    for value in request.POST.getlist("instances"):
        if parse_id(value) is not None:  # not "²", nor beyond 64 bits (SQLite cannot compare that)
            ids.append(parse_id(value))
    return ids


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def flow_migrate(request: HttpRequest, key: str) -> HttpResponse:
    """Choose source and target; the dry run lists every running instance with its verdict; the
    movable ones are ticked; starting the migration queues a job and shows its progress."""
    _require_analyst(request.user)
    if not request.user.has_perm(migration.MIGRATE):
        raise NotAllowed(_("Migrating instances needs the migrate permission."))
    rows = _versions(key, request.user.company_id)
    params = request.POST if request.method == "POST" else request.GET
    target = _pick(rows, params.get("target"), rows[0])
    source = _pick(
        rows, params.get("source"), next((r for r in rows if r.running and r.pk != rows[0].pk), rows[-1])
    )
    assert source is not None and target is not None
    element = clean_text(params.get("element", "") or "", 200, strip=False)
    context: dict[str, Any] = {"key": key, "versions": rows, "source": source, "target": target, "element": element,
                               "elements": _user_tasks(source)}  # fmt: skip
    if request.method == "POST" and request.POST.get("action") == "migrate":
        try:
            job = migration.do_start_migration(
                request.user, source, target, _instances_form(request), request.POST.get("note", "")
            )
        except (BadRequest, Conflict) as exc:
            messages.error(request, message(exc))
        else:
            return redirect("designer_flows:migration", pk=job.pk)
    if source.pk != target.pk:
        try:
            verdicts = migration.dry_run(request.user, source, target, element_id=element)
        except BadRequest as exc:
            context["refusal"] = message(exc)
        else:
            context["verdicts"] = verdicts
            context["movable"] = sum(v.movable for v in verdicts)
    return render(request, "designer/flow_migrate.html", context)


def _user_tasks(version: ProcessVersion) -> list[tuple[str, str]]:
    """(id, name) of the version's user tasks, for the "waiting at" filter."""
    elements = (version.summary or {}).get("elements") or {}
    return sorted(
        ((element_id, facts.get("name") or element_id) for element_id, facts in elements.items()
         if facts.get("type") == "userTask"),
        key=lambda pair: pair[1],
    )  # fmt: skip


@require_GET
@login_required
@engine_errors
def migration_job(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm(migration.MIGRATE):
        raise NotAllowed(_("Migrating instances needs the migrate permission."))
    job = (
        MigrationJob.objects.select_related("source", "target", "created_by")
        .filter(pk=pk, company_id=request.user.company_id)
        .first()
    )
    if job is None:
        raise Http404("no such migration")
    return render(request, "designer/flow_migration.html", {"job": job})


@require_GET
@login_required
@engine_errors
def flow_waits(request: HttpRequest, key: str) -> HttpResponse:
    user = request.user
    if not (user.has_perm(access.DEPLOY) or user.has_perm(access.VIEW_ALL)):
        raise NotAllowed(_("Where work waits is for analysts and those who see all instances."))
    rows = _versions(key, user.company_id)
    with_instances = _with_instances(rows)
    version = _pick(rows, request.GET.get("version"), with_instances or rows[0])
    assert version is not None
    found = waits.waits(user.company_id, version, clock.now())
    return render(request, "designer/flow_waits.html", {
        "key": key, "versions": rows, "version": version, "xml": _xml(version), "with_instances": with_instances,
        "elements": wait_rows(version, found),
    })  # fmt: skip


def _with_instances(rows: list[ProcessVersion]) -> ProcessVersion | None:
    """The version the heatmap opens on: the newest with running instances of the company, else the
    newest with any (finished work still shows how long it spent where); None when none has any."""
    return next((r for r in rows if r.running), None) or next((r for r in rows if r.instance_count), None)  # type: ignore[attr-defined]


def wait_rows(version: ProcessVersion, found: dict[str, Any]) -> list[dict[str, Any]]:
    """The heatmap's elements, most waiting first, each with its name from the diagram (the id
    only where the element has no name)."""
    rows = [{**w.as_dict(), "name": element_name(version, w.element_id)} for w in found.values()]
    return sorted(rows, key=lambda w: -w["waiting"])
