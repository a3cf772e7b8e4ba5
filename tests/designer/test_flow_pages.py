"""The flow pages for analysts: versions with their notes and running instances, the .bpmn export,
two versions compared on their diagrams, moving running instances (dry run, then a job with a
progress bar) and where work waits."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from engine import clock
from engine.models import ProcessInstance, ProcessVersion
from engine.tasks import sweep
from tests.designer.test_designer_api import (  # noqa: F401
    BIZWAIT,
    deploy,
    designer,
    open_draft,
    save,
    with_check_task,
    without_reply,
)
from tests.helpers import complete, only_task, start


def page(cast, username: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(cast[username])
    return client


def two_versions(designer):  # type: ignore[no-untyped-def]  # noqa: F811
    draft = open_draft(designer)
    save(designer, draft, {**draft["files"], "bizwait.bpmn": with_check_task(BIZWAIT)})
    deploy(designer, draft, note="加复核环节")
    return ProcessVersion.objects.get(key="bizwait", version=1), ProcessVersion.objects.get(
        key="bizwait", version=2
    )


def test_versions_are_listed_with_notes_running_instances_and_exports(api, cast, designer):  # noqa: F811
    start(api("agent"), "bizwait", {})
    v1, v2 = two_versions(designer)
    text = page(cast, "analyst").get("/designer/flows/bizwait/").content.decode()
    assert 'data-version="2"' in text and "加复核环节" in text and 'id="export-svg"' in text
    assert (
        f'href="/designer/flows/bizwait/migrate/?source={v1.pk}&target={v2.pk}"' in text
    )  # v1 has one running
    exported = page(cast, "analyst").get(f"/designer/versions/{v2.pk}/bpmn/")
    assert exported["Content-Disposition"] == 'attachment; filename="bizwait-v2.bpmn"'
    assert b'id="Task_Check"' in exported.content
    assert page(cast, "agent").get("/designer/flows/bizwait/").status_code == 403
    assert page(cast, "analyst").get("/designer/flows/nothing/").status_code == 404


def test_two_versions_are_compared_on_their_diagrams(cast, designer):  # noqa: F811
    v1, v2 = two_versions(designer)
    text = (
        page(cast, "analyst")
        .get(f"/designer/flows/bizwait/compare/?source={v1.pk}&target={v2.pk}")
        .content.decode()
    )
    assert (
        '"added": ["Task_Check"]' in text and 'id="count-added">1<' in text and 'id="target-diagram"' in text
    )


def test_running_instances_are_moved_after_a_dry_run(api, cast, designer):  # noqa: F811
    agent = api("agent")
    waiting = [start(agent, "bizwait", {}) for _ in range(2)]
    v1, v2 = two_versions(designer)
    analyst = page(cast, "analyst")
    dry = analyst.get(f"/designer/flows/bizwait/migrate/?source={v1.pk}&target={v2.pk}").content.decode()
    assert (
        'id="verdicts-table"' in dry
        and dry.count('data-movable="true"') == 2
        and 'id="start-migration"' in dry
    )
    moved = analyst.post(
        "/designer/flows/bizwait/migrate/",
        {
            "action": "migrate",
            "source": v1.pk,
            "target": v2.pk,
            "instances": [w["id"] for w in waiting],
            "note": "迁移",
        },
    )
    assert moved.status_code == 302 and moved["Location"].startswith("/designer/migrations/")
    job = analyst.get(moved["Location"]).content.decode()
    assert 'data-status="done"' in job and job.count('data-instance="') == 2 and "100%" in job
    assert set(
        ProcessInstance.objects.filter(pk__in=[w["id"] for w in waiting]).values_list("version", flat=True)
    ) == {v2.pk}
    complete(agent, only_task(agent, waiting[0]["id"])["id"], {"reply": "好"})
    assert only_task(agent, waiting[0]["id"])["name"] == "复核"
    nothing = analyst.post(
        "/designer/flows/bizwait/migrate/", {"action": "migrate", "source": v1.pk, "target": v2.pk}
    )
    assert (
        nothing.status_code == 200 and "None of these instances" not in nothing.content.decode()
    )  # Chinese page
    assert page(cast, "agent").get("/designer/flows/bizwait/migrate/").status_code == 403


def test_where_work_waits_is_drawn_on_the_diagram(api, cast, designer):  # noqa: F811
    start(api("agent"), "bizwait", {})
    text = page(cast, "cs_head").get("/designer/flows/bizwait/waits/").content.decode()
    assert 'id="waits-diagram"' in text and '"element_id": "Task_Reply"' in text and '"waiting": 1' in text
    assert page(cast, "engineer").get("/designer/flows/bizwait/waits/").status_code == 403


def test_where_work_waits_opens_on_the_newest_version_with_instances(api, cast, designer):  # noqa: F811
    analyst = page(cast, "analyst")
    nothing = analyst.get("/designer/flows/bizwait/waits/").content.decode()
    assert 'id="waits-empty"' in nothing and "这个流程的各个版本都还没有实例" in nothing

    waiting = start(api("agent"), "bizwait", {})  # on v1
    v1, v2 = two_versions(designer)  # v2 is newer and has none
    text = analyst.get("/designer/flows/bizwait/waits/").content.decode()
    assert f'<option value="{v1.pk}" selected>' in text and 'id="waits-empty"' not in text
    assert '"element_id": "Task_Reply"' in text and '"waiting": 1' in text
    assert "v1 · 运行中 1 / 共 1" in text and "v2 · 运行中 0 / 共 0" in text

    chosen = analyst.get(f"/designer/flows/bizwait/waits/?version={v2.pk}").content.decode()
    assert f'<option value="{v2.pk}" selected>' in chosen and "第 2 版还没有实例" in chosen
    assert f'href="?version={v1.pk}"' in chosen

    complete(api("agent"), only_task(api("agent"), waiting["id"])["id"], {"reply": "好"})
    clock.advance(timedelta(days=10))  # past the three working days: the timer fires, the instance ends
    sweep()
    assert ProcessInstance.objects.get(pk=waiting["id"]).status == "completed"
    finished = analyst.get("/designer/flows/bizwait/waits/").content.decode()
    assert f'<option value="{v1.pk}" selected>' in finished  # finished work still shows where time went
    assert "v1 · 运行中 0 / 共 1" in finished
