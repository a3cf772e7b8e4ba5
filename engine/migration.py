"""Moving running instances to another version of their flow.

SpiffWorkflow aligns the two versions' task specs (by BPMN id first, then by structure:
`SpecDiff`), maps an instance's tasks onto the new specs (`WorkflowDiff`) and re-predicts what lies
ahead of the waiting tasks (`migrate_workflow`). Ours is what makes that safe:

- `dry_run` says, per instance, whether it can move and why not: it waits at an element the target
  version no longer has; a service call of it is in flight; it has an incident; it runs a called
  process the target lacks. Nothing is written.
- `do_migrate_instance` moves one instance in one engine step (lock, check again, migrate, persist,
  audit): a failure rolls the step back and the instance stays on its version. Waiting user tasks
  keep their id, holder and deadlines; their name, lane and form follow the new version.
- `MigrationJob` runs a bulk migration in the background (Celery; in-process in embedded mode),
  instance by instance, with progress a page can poll.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState as SpiffState

from . import clock
from .errors import BadRequest, Conflict, NotAllowed, checked_text
from .models import ProcessInstance, ProcessVersion, Task
from .models.audit import AuditAction
from .models.migration import MigrationJob, MigrationStatus
from .models.runtime import InstanceStatus
from .models.runtime import TaskState as RowState
from .runner import Step, run_step
from .spiff import REGISTRY, SPEC_CACHE, Specs, decode_state, load_state

log = logging.getLogger(__name__)

MIGRATE = "engine.migrate_instances"
ACTIVE = SpiffState.READY | SpiffState.WAITING | SpiffState.STARTED | SpiffState.ERROR
CHUNK = 200  # instances loaded at a time in a dry run


@dataclass
class Verdict:
    """Whether one instance can move to the target version, and why not."""

    instance_id: int
    business_key: str
    movable: bool
    waiting_at: list[str] = field(default_factory=list)  # names of the elements it waits at
    reasons: list[str] = field(default_factory=list)  # why it cannot move
    changed: list[str] = field(default_factory=list)  # waiting elements whose definition changed

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Comparison:
    """What differs between two versions (element ids), for the versions page and the dry run."""

    added: list[str]
    removed: list[str]
    changed: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_may_migrate(user: Any, source: ProcessVersion, target: ProcessVersion) -> None:
    if not user.has_perm(MIGRATE):
        raise NotAllowed(_("Migrating instances needs the migrate permission."))
    if source.key != target.key:
        raise BadRequest(_("Instances move only between versions of one flow (%(a)s, %(b)s).") % {
            "a": source.key, "b": target.key})  # fmt: skip
    if source.pk == target.pk:
        raise BadRequest(_("Choose a different version to move to."))


def _label(spec: Any) -> str:
    name = getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name
    return str(name)


def _visible(spec: Any) -> bool:
    """Element specs a person would recognise (not the engine's Start/End/Root helpers)."""
    return bool(getattr(spec, "bpmn_id", None))


def compare(source: ProcessVersion, target: ProcessVersion) -> Comparison:
    """Elements added, removed and changed from source to target (top process)."""
    old, new = SPEC_CACHE.get(source.pk).top, SPEC_CACHE.get(target.pk).top
    diff = SpecDiff(REGISTRY, old, new)
    return Comparison(
        added=sorted(s.bpmn_id for s in diff.added if _visible(s)),
        removed=sorted(s.bpmn_id for s in diff.removed if _visible(s)),
        changed=sorted(s.bpmn_id for s in diff.changed if _visible(s)),
    )


def _verdict(instance: ProcessInstance, workflow: Any, target: Specs) -> tuple[Verdict, Any, dict[str, Any]]:
    verdict = Verdict(instance.pk, instance.business_key, movable=True)
    if instance.status != InstanceStatus.RUNNING:
        verdict.movable = False
        verdict.reasons.append(
            _("It has an incident: retry or resolve it first.") if instance.status == InstanceStatus.INCIDENT
            else _("It is no longer running.")
        )  # fmt: skip
        return verdict, None, {}
    top, subs = diff_workflow(REGISTRY, workflow, target.top, target.subprocesses)
    removed = {t.id for t in top.removed}
    changed = {t.id for t in top.changed}
    for task in workflow.get_tasks(state=ACTIVE, skip_subprocesses=True):
        if not _visible(task.task_spec):
            continue
        label = _label(task.task_spec)
        verdict.waiting_at.append(label)
        if task.id in removed:
            verdict.reasons.append(
                _("It waits at “%(element)s”, which the target version no longer has.") % {"element": label}
            )
        elif task.state == SpiffState.STARTED:
            verdict.reasons.append(
                _("A service call at “%(element)s” is in progress; move it once the call is done.")
                % {"element": label}
            )
        elif task.state == SpiffState.ERROR:
            verdict.reasons.append(_("“%(element)s” failed; retry it first.") % {"element": label})
        elif task.id in changed:
            verdict.changed.append(label)
    for sp_id, sub_diff in subs.items():
        sub = workflow.subprocesses[sp_id]
        active = [t for t in sub.get_tasks(state=ACTIVE) if _visible(t.task_spec)]
        if not active:
            continue
        if sub_diff is None:
            verdict.reasons.append(
                _("It runs “%(name)s”, which the target version does not call.") % {"name": sub.spec.name}
            )
            continue
        gone = {t.id for t in sub_diff.removed}
        for task in active:
            verdict.waiting_at.append(_label(task.task_spec))
            if task.id in gone:
                verdict.reasons.append(
                    _("It waits at “%(element)s”, which the target version no longer has.")
                    % {"element": _label(task.task_spec)}
                )
    verdict.movable = not verdict.reasons
    return verdict, top, subs


def running_instances(
    user: Any, source: ProcessVersion, *, element_id: str = "", instance_ids: list[int] | None = None
) -> Any:
    """The user's company's instances of the source version that are not finished (optionally only
    those waiting at an element, or the given ones)."""
    rows = ProcessInstance.objects.filter(
        company_id=user.company_id,
        version=source,
        status__in=[InstanceStatus.RUNNING, InstanceStatus.INCIDENT],
    )
    if instance_ids is not None:
        rows = rows.filter(pk__in=instance_ids)
    if element_id:
        rows = rows.filter(tasks__element_id=element_id, tasks__state=RowState.READY).distinct()
    return rows.order_by("pk")


def dry_run(user: Any, source: ProcessVersion, target: ProcessVersion, **filters: Any) -> list[Verdict]:
    """Which of the instances could move to the target, and why the others cannot. Writes nothing."""
    check_may_migrate(user, source, target)
    specs = SPEC_CACHE.get(target.pk)
    source_specs = SPEC_CACHE.get(source.pk)
    verdicts = []
    ids = list(running_instances(user, source, **filters).values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        rows = ProcessInstance.objects.filter(pk__in=ids[start : start + CHUNK]).only(
            "pk", "business_key", "status", "state", "version_id"
        )
        for instance in rows.order_by("pk"):
            workflow = load_state(decode_state(instance.state), source_specs)
            verdicts.append(_verdict(instance, workflow, specs)[0])
    return verdicts


def do_migrate_instance(
    user: Any, instance_id: int, target: ProcessVersion, *, job_id: int | None = None
) -> Verdict:
    """Move one instance to the target version in one engine step; Conflict (and nothing changed)
    when it cannot move."""
    specs = SPEC_CACHE.get(target.pk)
    result: dict[str, Verdict] = {}

    def action(step: Step) -> None:
        instance = step.instance
        if instance.version_id == target.pk:
            raise Conflict(_("It is on that version already."))
        if (
            ProcessVersion.objects.filter(pk=instance.version_id).values_list("key", flat=True).first()
            != target.key
        ):
            raise BadRequest(_("Instances move only between versions of one flow."))
        verdict, top, subs = _verdict(instance, step.workflow, specs)
        result["verdict"] = verdict
        if not verdict.movable:
            raise Conflict(" ".join(verdict.reasons))
        source_version = (
            ProcessVersion.objects.filter(pk=instance.version_id).values_list("version", flat=True).first()
        )
        workflow = step.workflow
        migrate_workflow(top, workflow, specs.top)
        for sp_id, sub_diff in subs.items():
            if sub_diff is not None:
                sub = workflow.subprocesses[sp_id]
                migrate_workflow(sub_diff, sub, specs.subprocesses[sub.spec.name])
        workflow.subprocess_specs = specs.subprocesses
        ProcessInstance.objects.filter(pk=instance.pk).update(version=target)
        instance.version_id = target.pk
        step.audit(AuditAction.MIGRATE, details={"from": source_version, "to": target.version, "job": job_id})
        step.advance()
        _refresh_open_tasks(instance.pk, workflow)

    run_step(instance_id, user, action)
    return result["verdict"]


def _refresh_open_tasks(instance_id: int, workflow: Any) -> None:
    """Waiting user tasks keep their row (id, holder, deadlines); what the new version says of them
    (name, lane, form, instructions) replaces the old (call inside the step)."""
    from . import projection

    for task in workflow.get_tasks(state=SpiffState.READY, manual=True):
        spec = task.task_spec
        extensions = getattr(spec, "extensions", {}) or {}
        props = extensions.get("properties", {}) or {}
        lane = projection.candidate_group(task, props.get("candidateGroup")) or (spec.lane or "")[:100]
        Task.objects.filter(instance_id=instance_id, spiff_id=task.id, state=RowState.READY).update(
            element_id=spec.bpmn_id or spec.name, name=(spec.bpmn_name or spec.bpmn_id or spec.name)[:200],
            lane=lane, form_schema=props.get("formJsonSchemaFilename", ""),
            form_ui_schema=props.get("formUiSchemaFilename", ""), instructions=extensions.get("instructionsForEndUser") or "",
        )  # fmt: skip


# --- bulk migration jobs ---------------------------------------------------------------------


def do_start_migration(
    user: Any, source: ProcessVersion, target: ProcessVersion, instance_ids: list[int], note: str = ""
) -> MigrationJob:
    """Queue a background migration of the given instances (those of the user's company on the
    source version; others are ignored)."""
    check_may_migrate(user, source, target)
    ids = list(running_instances(user, source, instance_ids=instance_ids).values_list("pk", flat=True))
    if not ids:
        raise BadRequest(
            _("None of these instances runs on version %(version)s.") % {"version": source.version}
        )
    job = MigrationJob.objects.create(
        company_id=user.company_id, source=source, target=target, instance_ids=ids, total=len(ids),
        note=checked_text(note, "note", 500, strip=False), created_by=user, created_at=clock.now(),
    )  # fmt: skip
    from .tasks import run_migration

    transaction.on_commit(lambda: run_migration.delay(job.pk))
    return job


PROGRESS_EVERY = 10  # instances between progress writes
STALE_SECONDS = 300  # a running job without progress for this long was lost with its worker


def run_job(job_id: int) -> None:
    """Work through a queued job; each instance is its own step (a failed one stays put)."""
    now = clock.now()
    stale = now - timedelta(seconds=STALE_SECONDS)
    claimed = MigrationJob.objects.filter(
        Q(status=MigrationStatus.QUEUED) | Q(status=MigrationStatus.RUNNING, heartbeat_at__lt=stale),
        pk=job_id,
    ).update(status=MigrationStatus.RUNNING, started_at=now, heartbeat_at=now)
    if not claimed:
        return  # another worker runs it, or it ran already
    job = MigrationJob.objects.select_related("created_by", "target").get(pk=job_id)
    results, migrated, skipped = [], 0, 0
    try:
        for number, instance_id in enumerate(job.instance_ids, start=1):
            if ProcessInstance.objects.filter(pk=instance_id, version=job.target).exists():  # a resumed job
                migrated += 1
                results.append({"instance": instance_id, "business_key": "", "moved": True})
                continue
            try:
                verdict = do_migrate_instance(job.created_by, instance_id, job.target, job_id=job.pk)
                migrated += 1
                results.append({"instance": instance_id, "business_key": verdict.business_key, "moved": True})
            except (Conflict, BadRequest, ProcessInstance.DoesNotExist) as exc:
                skipped += 1
                key = (
                    ProcessInstance.objects.filter(pk=instance_id)
                    .values_list("business_key", flat=True)
                    .first()
                )
                results.append({"instance": instance_id, "business_key": key or "", "moved": False,
                                "reason": getattr(exc, "message", "") or str(exc) or _("It no longer exists.")})  # fmt: skip
            if number % PROGRESS_EVERY == 0 or number == len(job.instance_ids):
                MigrationJob.objects.filter(pk=job.pk).update(
                    done=number, migrated=migrated, skipped=skipped, results=results, heartbeat_at=clock.now()
                )
        MigrationJob.objects.filter(pk=job.pk).update(status=MigrationStatus.DONE, finished_at=clock.now())
    except Exception as exc:  # a bug or a lost database: the job says so; finished instances stay moved
        log.exception("migration job %s failed", job_id)
        MigrationJob.objects.filter(pk=job.pk).update(
            status=MigrationStatus.FAILED, finished_at=clock.now(), error=str(exc)[:2000], results=results,
            migrated=migrated, skipped=skipped,
        )  # fmt: skip
