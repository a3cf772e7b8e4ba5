"""The difference of two versions says, per element, what changed from what to what, with element
and field names: the compare page and GET /api/designer/compare/ (`elements`)."""

from __future__ import annotations

import json
import re

from django.test import Client

from engine.models import ProcessVersion
from tests.designer.test_designer_api import (  # noqa: F401
    BIZWAIT,
    REPLY_FORM,
    deploy,
    designer,
    open_draft,
    save,
    with_check_task,
)


def changed_bizwait() -> dict[str, str]:
    """bizwait v2: 复核 added after 答复, 答复 renamed 答复客户 with a shorter deadline, its form with a
    longer reply and a new required field, the timer five days instead of three."""
    bpmn = (
        with_check_task(BIZWAIT)
        .replace('name="答复"', 'name="答复客户"')
        .replace('value="&quot;PT8H&quot;"', 'value="&quot;PT4H&quot;"')
        .replace('"P3D"', '"P5D"')
    )
    form = json.loads(REPLY_FORM)
    form["properties"]["reply"]["maxLength"] = 500
    form["properties"]["note"] = {"type": "string", "title": "备注"}
    form["required"] = ["note"]
    return {"bizwait.bpmn": bpmn, "reply.schema.json": json.dumps(form, ensure_ascii=False)}


def two_versions(designer) -> tuple[ProcessVersion, ProcessVersion]:  # type: ignore[no-untyped-def]  # noqa: F811
    draft = open_draft(designer)
    save(designer, draft, changed_bizwait())
    assert deploy(designer, draft, note="答复改名并缩短时限").status_code == 201
    return (
        ProcessVersion.objects.get(key="bizwait", version=1),
        ProcessVersion.objects.get(key="bizwait", version=2),
    )


def rows(html: str, element_id: str) -> dict[str, tuple[str, str]]:
    """The change table of one element's card on the compare page: {what: (old, new)}."""
    card = re.search(rf'<div class="card mb-2" data-element="{element_id}">(.*?)</table>', html, re.S)
    assert card, element_id
    found = {}
    for what, old, new in re.findall(
        r'<tr data-aspect="[^"]*"><td class="fw-semibold">(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>',
        card.group(1),
    ):
        found[what] = (old, new)
    return found


def test_the_compare_page_says_what_changed_in_each_element_by_name(cast, designer):  # noqa: F811
    v1, v2 = two_versions(designer)
    client = Client()
    client.force_login(cast["analyst"])
    html = client.get(f"/designer/flows/bizwait/compare/?source={v1.pk}&target={v2.pk}").content.decode()

    reply = rows(html, "Task_Reply")
    assert reply["名称"] == ("答复", "答复客户")
    assert reply["处理时限"] == ("&quot;PT8H&quot;", "&quot;PT4H&quot;")
    assert reply["流出"] == ("三个工作日后", "复核")  # the next element by its name, not Flow_2
    assert reply["表单字段 “答复” (reply)：最多字数"] == ("200", "500")
    old, new = reply["表单字段 “备注” (note)"]
    assert old == "—" and "标题: 备注" in new and "类型: 文本" in new and "必填: 是" in new

    timer = rows(html, "Timer_ThreeDays")
    assert timer["定时器"] == ("时长: &quot;P3D&quot;", "时长: &quot;P5D&quot;")
    assert timer["流入"] == ("答复", "复核")

    assert 'data-element="Task_Check"><span class="fw-semibold">复核</span>' in html  # added, by name
    assert "用户任务" in html and 'data-element="Start_Biz"' not in html  # unchanged: not listed
    assert '"added": ["Task_Check"]' in html and '"changed": ["Task_Reply", "Timer_ThreeDays"]' in html


def test_the_compare_api_lists_each_change_old_and_new(designer):  # noqa: F811
    v1, v2 = two_versions(designer)
    body = designer.get(f"/api/designer/compare/?source={v1.pk}&target={v2.pk}").json()
    assert body["added"] == ["Task_Check"]  # the migration's view stays as it was
    by_id = {e["element_id"]: e for e in body["elements"]}
    assert (by_id["Task_Check"]["kind"], by_id["Task_Check"]["type"]) == ("added", "用户任务")
    assert by_id["Task_Reply"]["name"] == "答复客户" and "Start_Biz" not in by_id
    reply = {c["what"]: (c["old"], c["new"]) for c in by_id["Task_Reply"]["changes"]}
    assert reply["名称"] == ("答复", "答复客户") and reply["流出"] == ("三个工作日后", "复核")
    assert reply["表单字段 “答复” (reply)：最多字数"] == ("200", "500")
