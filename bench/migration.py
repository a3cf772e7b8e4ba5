"""Migration benchmark: a dry run and a bulk migration of N waiting complaints to a new version.

    DJANGO_SETTINGS_MODULE=webapp.settings python -m bench.migration [--instances 1000]

Complaint v1 is deployed and N complaints are started (each waits at 派单, Task_Triage; every tenth
is dispatched on and waits at 工程部处理); v2 adds a user task 派单复核 after 派单. Timed: the dry run
of all N against v2 (engine.migration.dry_run, what the migration page and API call), then the
bulk job that moves them (engine.migration.run_job, one engine step per instance). Checked
afterwards: every instance on v2, one audit event each, and a moved 派单 leads to 派单复核.
Runs in a throw-away database (bench/README.md). Goal: the dry run of 1,000 in under 10 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bench.complaint import BenchError, create_test_database, destroy_test_database, force_eager, goal, intake
from bench.complaint import vendor_and_version as vendor

ROOT = Path(__file__).resolve().parent.parent
DRY_RUN_GOAL_S = 10.0
REVIEW = (
    '<bpmn:sequenceFlow id="Flow_TriageToReview" sourceRef="Task_Triage" targetRef="Task_TriageReview" />'
    '<bpmn:userTask id="Task_TriageReview" name="派单复核"><bpmn:extensionElements><spiffworkflow:properties>'
    '<spiffworkflow:property name="formJsonSchemaFilename" value="supervise.schema.json" /></spiffworkflow:properties>'
    "</bpmn:extensionElements><bpmn:incoming>Flow_TriageToReview</bpmn:incoming>"
    "<bpmn:outgoing>Flow_TriageToComputeDue</bpmn:outgoing></bpmn:userTask>"
    '<bpmn:sequenceFlow id="Flow_TriageToComputeDue" sourceRef="Task_TriageReview" targetRef="Script_ComputeDue" />'
)


def version_two(files: dict[str, bytes]) -> dict[str, bytes]:
    """The complaint flow with 派单复核 (in 客服中心) between 派单 and the due-time script."""
    bpmn = files["complaint.bpmn"].decode("utf-8")
    old = '<bpmn:sequenceFlow id="Flow_TriageToComputeDue" sourceRef="Task_Triage" targetRef="Script_ComputeDue" />'
    if old not in bpmn:
        raise BenchError("complaint.bpmn changed: the benchmark's edit no longer applies")
    bpmn = bpmn.replace(old, REVIEW)
    bpmn = bpmn.replace("<bpmn:outgoing>Flow_TriageToComputeDue</bpmn:outgoing>\n    </bpmn:userTask>",
                        "<bpmn:outgoing>Flow_TriageToReview</bpmn:outgoing>\n    </bpmn:userTask>", 1)  # fmt: skip
    bpmn = bpmn.replace("<bpmn:flowNodeRef>Task_Triage</bpmn:flowNodeRef>",
                        "<bpmn:flowNodeRef>Task_Triage</bpmn:flowNodeRef><bpmn:flowNodeRef>Task_TriageReview</bpmn:flowNodeRef>", 1)  # fmt: skip
    return {**files, "complaint.bpmn": bpmn.encode("utf-8")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.migration", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--instances", type=int, default=1000, help="waiting complaints to move (default 1000)"
    )
    args = parser.parse_args(argv)
    if args.instances < 10:
        parser.error("--instances must be at least 10")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django

    django.setup()
    from engine import clock

    mode = force_eager()
    old_name = create_test_database("migrationbench")
    try:
        return run(args.instances, mode)
    except BenchError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        clock.set_time(None)
        destroy_test_database(old_name)


def run(n: int, mode: str) -> int:
    from django.conf import settings

    from engine import migration
    from engine.actions import do_complete_task, do_start_instance
    from engine.adapters.default_templates import ensure_default_templates
    from engine.deploy import deploy_folder, do_deploy_flow, read_flow_folder
    from engine.models import AuditEvent, MigrationJob, ProcessInstance, Task
    from engine.models.migration import MigrationStatus
    from webapp.accounts.demo import ensure_people

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    print(f"Anju migration benchmark: {vendor()}, {n:,} waiting complaints")
    print(f"  {mode}")
    ensure_default_templates()
    users = ensure_people()
    agent, analyst = users["agent"], users["analyst"]
    folder = ROOT / "processes" / "complaint"
    v1, _ = deploy_folder(folder, user=analyst)
    started = time.perf_counter()
    ids = []
    for i in range(n):
        instance = do_start_instance(agent, "complaint", intake(i))
        ids.append(instance.pk)
        if i % 10 == 9:  # every tenth goes on to 工程部处理
            triage = Task.objects.get(instance=instance, state="ready")
            do_complete_task(
                agent, triage, {"department": "engineering", "priority": "normal", "dispatch_note": "请处理"}
            )
    print(f"  {n:,} complaints started in {time.perf_counter() - started:.1f} s")
    v2, created = do_deploy_flow(version_two(read_flow_folder(folder)), user=analyst, note="派单后加复核")
    if not created or v2.version != 2:
        raise BenchError("version 2 was not deployed")

    started = time.perf_counter()
    verdicts = migration.dry_run(analyst, v1, v2)
    dry = time.perf_counter() - started
    movable = sum(v.movable for v in verdicts)
    print(f"\nDry run of {len(verdicts):,} instances against v2: {dry:.2f} s ({dry / len(verdicts) * 1000:.2f} ms each); "
          f"{movable:,} can move, {len(verdicts) - movable:,} cannot")  # fmt: skip
    if movable != n:
        reasons = {r for v in verdicts for r in v.reasons}
        raise BenchError(f"expected all {n} to be movable, {movable} are: {sorted(reasons)[:3]}")

    job = migration.do_start_migration(analyst, v1, v2, ids, note="bench")
    started = time.perf_counter()
    migration.run_job(
        job.pk
    )  # (already run eagerly on commit when Celery is eager: then this returns at once)
    job.refresh_from_db()
    moved_s = time.perf_counter() - started
    if job.status != MigrationStatus.DONE:
        raise BenchError(f"the job ended {job.status}: {job.error}")
    took = (
        (job.finished_at - job.started_at).total_seconds() if job.started_at and job.finished_at else moved_s
    )
    print(f"Bulk migration of {job.total:,}: {took:.2f} s ({took / job.total * 1000:.2f} ms each); "
          f"{job.migrated:,} moved, {job.skipped:,} stayed")  # fmt: skip
    on_v2 = ProcessInstance.objects.filter(pk__in=ids, version=v2).count()
    audited = AuditEvent.objects.filter(instance_id__in=ids, action="migrate").count()
    if on_v2 != n or audited != n or MigrationJob.objects.get(pk=job.pk).migrated != n:
        raise BenchError(f"{on_v2} instances on v2 and {audited} migrate events, wanted {n}")
    first = Task.objects.get(instance_id=ids[0], state="ready")
    do_complete_task(agent, first, {"department": "engineering", "priority": "high", "dispatch_note": "急"})
    after = Task.objects.get(instance_id=ids[0], state="ready")
    if after.element_id != "Task_TriageReview":
        raise BenchError(f"a moved 派单 led to {after.element_id}, not 派单复核")
    print("  verified: every instance on v2 with one 'migrate' audit event; a moved 派单 leads to 派单复核")
    print()
    print(
        goal(dry <= DRY_RUN_GOAL_S, f"dry run of {n:,} waiting instances < {DRY_RUN_GOAL_S:g} s: {dry:.2f} s")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
