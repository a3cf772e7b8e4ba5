"""Designer API (analysts, role 业务分析): drafts (open, save with lint, deploy with a note), the lint
and the sandbox check on their own, the catalogue of what a diagram may name (adapter operations,
hooks, option providers, lanes, SLA policies), a form preview drawn by the inbox's renderer, flows
and their versions, the difference of two versions, migrations (dry run, bulk job, progress) and
where work waits. Bad input is a 400 with field errors."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response

from engine import access, clock, hooks, migration, options, waits
from engine.adapters.registry import operations
from engine.errors import FormInvalid, NotAllowed
from engine.ids import parse_id
from engine.lint import can_only_fail
from engine.models import MigrationJob, ProcessVersion, SlaPolicy
from engine.models.runtime import InstanceStatus
from engine.sandbox import check_code
from forms import check_schema, render_form
from forms.text import clean_text

from . import drafts, version_diff
from .models import Draft


def _require_designer(user: Any) -> None:
    access.require_deploy(user)


def _version(value: Any, field: str) -> ProcessVersion:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise FormInvalid({field: ["a version id"]}) from None
    version = ProcessVersion.objects.defer("spec_json").filter(pk=number).first()
    if version is None:
        raise FormInvalid({field: [f"no version {number}"]})
    return version


class DraftSerializer(serializers.ModelSerializer):
    base_version = serializers.SerializerMethodField()

    class Meta:
        model = Draft
        fields = ["id", "key", "name", "files", "problems", "base_version", "created_at", "updated_at"]

    def get_base_version(self, obj: Draft) -> dict[str, Any] | None:
        version = obj.base_version
        return {"id": version.pk, "version": version.version} if version else None


class DraftViewSet(viewsets.ViewSet):
    """My drafts. POST opens one (key, optional version, name for a new flow); PUT saves its files
    and returns the lint's problems; POST …/deploy/ deploys it with a note."""

    def _get(self, request: Request, pk: Any) -> Draft:
        _require_designer(request.user)
        draft = (
            Draft.objects.filter(owner=request.user, pk=parse_id(pk) or 0)
            .select_related("base_version")
            .first()
        )
        if draft is None:
            raise Http404("no such draft")
        return draft

    @extend_schema(responses=DraftSerializer(many=True))
    def list(self, request: Request) -> Response:
        _require_designer(request.user)
        rows = Draft.objects.filter(owner=request.user).select_related("base_version").defer("files")
        return Response([{k: v for k, v in DraftSerializer(d).data.items() if k != "files"} for d in rows])

    @extend_schema(request=inline_serializer("OpenDraft", {"key": serializers.CharField(), "version": serializers.IntegerField(required=False), "name": serializers.CharField(required=False)}),
                   responses=DraftSerializer)  # fmt: skip
    def create(self, request: Request) -> Response:
        body = request.data if isinstance(request.data, dict) else {}
        version = body.get("version")
        draft = drafts.do_open_draft(
            request.user, str(body.get("key", "")), version_id=parse_id(version),
            name=str(body.get("name", "")),
        )  # fmt: skip
        return Response(DraftSerializer(draft).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=DraftSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(DraftSerializer(self._get(request, pk)).data)

    @extend_schema(request=inline_serializer("SaveDraft", {"files": serializers.DictField(child=serializers.CharField())}),
                   responses=DraftSerializer)  # fmt: skip
    def update(self, request: Request, pk: str | None = None) -> Response:
        draft = self._get(request, pk)
        files = request.data.get("files") if isinstance(request.data, dict) else None
        return Response(DraftSerializer(drafts.do_save_draft(request.user, draft, files)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        self._get(request, pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=inline_serializer("DeployDraft", {"note": serializers.CharField()}),
                   responses=inline_serializer("Deployed", {"id": serializers.IntegerField(), "key": serializers.CharField(),
                                                            "version": serializers.IntegerField(), "created": serializers.BooleanField()}))  # fmt: skip
    @action(detail=True, methods=["post"])
    def deploy(self, request: Request, pk: str | None = None) -> Response:
        draft = self._get(request, pk)
        note = request.data.get("note", "") if isinstance(request.data, dict) else ""
        version, created = drafts.do_deploy_draft(request.user, draft, str(note))
        body = {"id": version.pk, "key": version.key, "version": version.version, "created": created}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema(request=inline_serializer("LintFiles", {"files": serializers.DictField(child=serializers.CharField())}),
               responses=inline_serializer("LintResult", {"problems": serializers.ListField(child=serializers.DictField())}))  # fmt: skip
@api_view(["POST"])
def lint(request: Request) -> Response:
    """What the deploy would refuse, each problem with file, element and line."""
    _require_designer(request.user)
    files = drafts.check_files(request.data.get("files") if isinstance(request.data, dict) else None)
    return Response({"problems": drafts.lint(files)})


@extend_schema(request=inline_serializer("CheckCode", {"code": serializers.CharField(), "mode": serializers.ChoiceField(["exec", "eval"])}),
               responses=inline_serializer("CodeCheck", {"ok": serializers.BooleanField(), "problems": serializers.ListField(child=serializers.DictField())}))  # fmt: skip
@api_view(["POST"])
def check_script(request: Request) -> Response:
    """A script (exec) or an expression (eval) checked by the sandbox, as at deploy."""
    _require_designer(request.user)
    body = request.data if isinstance(request.data, dict) else {}
    code, mode = body.get("code"), body.get("mode", "exec")
    errors = {}
    if not isinstance(code, str) or len(code) > 20000:
        errors["code"] = ["text, at most 20,000 characters"]
    if mode not in ("exec", "eval"):
        errors["mode"] = ["exec (a script) or eval (an expression)"]
    if errors:
        raise FormInvalid(errors)
    code = clean_text(code, strip=False)
    problems = [
        {"line": p.line, "message": p.message} for p in check_code(code, mode) or can_only_fail(code, mode)
    ]
    return Response({"ok": not problems, "problems": problems})


@extend_schema(request=inline_serializer("FormPreview", {"schema": serializers.DictField(), "ui_schema": serializers.DictField(required=False)}),
               responses=inline_serializer("FormPreviewResult", {"html": serializers.CharField(), "problems": serializers.ListField(child=serializers.CharField())}))  # fmt: skip
@api_view(["POST"])
def form_preview(request: Request) -> Response:
    """The form as the inbox draws it, and what the form lint says of the schema."""
    _require_designer(request.user)
    body = request.data if isinstance(request.data, dict) else {}
    schema, ui = body.get("schema"), body.get("ui_schema") or None
    if not isinstance(schema, dict):
        raise FormInvalid({"schema": ["a JSON schema object"]})
    if ui is not None and not isinstance(ui, dict):
        raise FormInvalid({"ui_schema": ["a UI schema object"]})
    problems = check_schema(schema, ui)
    html = (
        ""
        if problems
        else str(render_form(options.expand(schema, request.user, {}), ui, {}, None, readonly=False))
    )
    return Response({"html": html, "problems": problems})


@extend_schema(responses=inline_serializer("Catalogue", {k: serializers.ListField(child=serializers.DictField()) for k in ("operators", "hooks", "options", "lanes", "sla_policies")}))  # fmt: skip
@api_view(["GET"])
def catalogue(request: Request) -> Response:
    """What a diagram may name: adapter operations with their parameters, completion hooks (each with
    the flows it serves, none = any; `?flow=<process id>` lists only that flow's), option providers,
    the company's work groups (lanes) and SLA policies."""
    from webapp.accounts.models import WorkGroup

    _require_designer(request.user)
    ops = [
        {"name": name, "description": op.description,
         "params": [{"name": p.name, "description": p.description, "required": p.required} for p in op.params]}
        for name, op in sorted(operations().items())
    ]  # fmt: skip
    policies = SlaPolicy.objects.filter(company_id=request.user.company_id, active=True).order_by(
        "order", "pk"
    )
    return Response({
        "operators": ops,
        "hooks": [{"name": name, "description": hooks.get(name).description, "flows": list(hooks.get(name).flows)}
                  for name in hooks.names(request.query_params.get("flow") or None)],
        "options": [{"name": name} for name in options.names()],
        "lanes": list(WorkGroup.objects.filter(company_id=request.user.company_id).order_by("name").values_list("name", flat=True)),
        "sla_policies": [
            {"id": p.pk, "name": p.name, "process_key": p.process_key, "element_id": p.element_id,
             "response_target": p.response_target, "resolution_target": p.resolution_target, "mode": p.mode}
            for p in policies
        ],
    })  # fmt: skip


@extend_schema(
    responses=inline_serializer("Flows", {"flows": serializers.ListField(child=serializers.DictField())})
)
@api_view(["GET"])
def flows(request: Request) -> Response:
    """Every deployed flow with its latest version and the company's unfinished instances."""
    _require_designer(request.user)
    running = Q(instances__company_id=request.user.company_id) & ~Q(
        instances__status__in=[InstanceStatus.COMPLETED, InstanceStatus.CANCELLED]
    )
    rows = (
        ProcessVersion.objects.values("key")
        .annotate(
            versions=Count("id", distinct=True), running=Count("instances", filter=running, distinct=True)
        )
        .order_by("key")
    )
    out = []
    for row in rows:  # a handful of flows: one query each for the latest version is fine
        version = (
            ProcessVersion.objects.defer("spec_json").filter(key=row["key"]).order_by("-version").first()
        )
        out.append({"key": row["key"], "name": version.name, "latest": version.version, "latest_id": version.pk,
                    "versions": row["versions"], "running": row["running"]})  # fmt: skip
    return Response({"flows": out})


@extend_schema(
    responses=inline_serializer(
        "Versions", {"versions": serializers.ListField(child=serializers.DictField())}
    )
)
@api_view(["GET"])
def versions(request: Request, key: str) -> Response:
    """The versions of one flow: who deployed it, when, the note, unfinished instances of the company."""
    _require_designer(request.user)
    if "\x00" in key:  # no flow key holds a NUL (and PostgreSQL cannot compare one)
        raise Http404("no such flow")
    running = Q(instances__company_id=request.user.company_id) & ~Q(
        instances__status__in=[InstanceStatus.COMPLETED, InstanceStatus.CANCELLED]
    )
    rows = (
        ProcessVersion.objects.filter(key=key).defer("spec_json").select_related("deployed_by")
        .annotate(running=Count("instances", filter=running)).order_by("-version")
    )  # fmt: skip
    if not rows:
        raise Http404("no such flow")
    return Response({"versions": [
        {"id": v.pk, "version": v.version, "name": v.name, "note": v.note, "deployed_at": v.deployed_at,
         "deployed_by": str(v.deployed_by) if v.deployed_by else "", "running": v.running}
        for v in rows
    ]})  # fmt: skip


@extend_schema(responses=inline_serializer("Compare", {**{k: serializers.ListField(child=serializers.CharField()) for k in ("added", "removed", "changed")}, "elements": serializers.ListField(child=serializers.DictField())}))  # fmt: skip
@api_view(["GET"])
def compare(request: Request) -> Response:
    """Elements added, removed and changed from one version of a flow to another (ids, as the
    migration sees them), and `elements`: per element its name, type and what changed, old → new."""
    _require_designer(request.user)
    source, target = (
        _version(request.query_params.get("source"), "source"),
        _version(request.query_params.get("target"), "target"),
    )
    if source.key != target.key:
        raise FormInvalid({"target": ["a version of the same flow"]})
    elements = version_diff.compare(source, target).as_list()
    return Response({**migration.compare(source, target).as_dict(), "elements": elements})


def _ids(value: Any, field: str) -> list[int] | None:
    if value in (None, ""):
        return None
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise FormInvalid({field: ["a list of instance ids"]})
    return value


@extend_schema(request=inline_serializer("DryRun", {"source": serializers.IntegerField(), "target": serializers.IntegerField(),
                                                     "element_id": serializers.CharField(required=False), "instances": serializers.ListField(child=serializers.IntegerField(), required=False)}),
               responses=inline_serializer("DryRunResult", {"movable": serializers.IntegerField(), "blocked": serializers.IntegerField(), "verdicts": serializers.ListField(child=serializers.DictField())}))  # fmt: skip
@api_view(["POST"])
def dry_run(request: Request) -> Response:
    """Which running instances of the source version could move to the target, and why not."""
    body = request.data if isinstance(request.data, dict) else {}
    source, target = _version(body.get("source"), "source"), _version(body.get("target"), "target")
    verdicts = migration.dry_run(
        request.user, source, target, element_id=str(body.get("element_id") or "")[:200],
        instance_ids=_ids(body.get("instances"), "instances"),
    )  # fmt: skip
    movable = sum(v.movable for v in verdicts)
    return Response(
        {"movable": movable, "blocked": len(verdicts) - movable, "verdicts": [v.as_dict() for v in verdicts]}
    )


def _job(job: MigrationJob) -> dict[str, Any]:
    return {"id": job.pk, "status": job.status, "status_label": job.get_status_display(), "source": job.source.version,
            "target": job.target.version, "key": job.source.key, "total": job.total, "done": job.done,
            "migrated": job.migrated, "skipped": job.skipped, "results": job.results, "note": job.note,
            "error": job.error, "created_at": job.created_at, "finished_at": job.finished_at}  # fmt: skip


class MigrationViewSet(viewsets.ViewSet):
    """Bulk migrations of the company: POST starts one (source, target, instances, note); GET shows
    its progress."""

    def _get(self, request: Request, pk: Any) -> MigrationJob:
        if not request.user.has_perm(migration.MIGRATE):
            raise NotAllowed("migrating instances needs the migrate permission")
        job = (
            MigrationJob.objects.select_related("source", "target")
            .filter(company_id=request.user.company_id, pk=parse_id(pk) or 0)
            .first()
        )
        if job is None:
            raise Http404("no such migration")
        return job

    @extend_schema(request=inline_serializer("StartMigration", {"source": serializers.IntegerField(), "target": serializers.IntegerField(),
                                                                 "instances": serializers.ListField(child=serializers.IntegerField()), "note": serializers.CharField(required=False)}))  # fmt: skip
    def create(self, request: Request) -> Response:
        body = request.data if isinstance(request.data, dict) else {}
        source, target = _version(body.get("source"), "source"), _version(body.get("target"), "target")
        ids = _ids(body.get("instances"), "instances")
        if not ids:
            raise FormInvalid({"instances": ["choose the instances to move"]})
        job = migration.do_start_migration(request.user, source, target, ids, str(body.get("note") or ""))
        job.refresh_from_db()
        return Response(_job(job), status=status.HTTP_202_ACCEPTED)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(_job(self._get(request, pk)))


@extend_schema(
    responses=inline_serializer(
        "Waits",
        {
            "version": serializers.IntegerField(),
            "elements": serializers.ListField(child=serializers.DictField()),
        },
    )
)
@api_view(["GET"])
def where_work_waits(request: Request) -> Response:
    """Per element of a version: the company's instances waiting there now and for how long, and
    how long finished work spent there; with ?element= the instances waiting at it."""
    user = request.user
    if not (user.has_perm(access.DEPLOY) or user.has_perm(access.VIEW_ALL)):
        raise NotAllowed("for analysts and those who see all instances")
    version = _version(request.query_params.get("version"), "version")
    element = clean_text(request.query_params.get("element", "") or "", 200, strip=False)
    if element:
        rows = waits.instances_at(user.company_id, version, element)[:500]
        return Response({"version": version.pk, "element": element, "instances": [
            {"id": i.pk, "business_key": i.business_key, "title": i.title, "customer_name": i.customer_name,
             "started_at": i.started_at, "status": i.status} for i in rows]})  # fmt: skip
    found = waits.waits(user.company_id, version, clock.now())
    return Response({"version": version.pk, "elements": [w.as_dict() for w in found.values()]})
