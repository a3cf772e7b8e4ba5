"""The audit review in words (issue 13.7): field titles, choice titles, ¥ amounts, the SMS by its
template's name, local times and flow names, never the variables; the details as stored stay one
click away (masked)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client

from engine.actions import do_update_instance_data
from engine.models import ProcessInstance
from tests.complaint_data import INTAKE, TRIAGE
from tests.helpers import complete, only_task, start

HANDLED = {
    "handling_result": "已上门修补外墙防水并更换墙纸。",
    "measures_taken": "外墙打胶、墙纸更换",
    "compensation_needed": True,
    "proposed_compensation_amount": 2500,
}


@pytest.fixture
def case(api, cast, flow):  # type: ignore[no-untyped-def]
    flow("complaint")
    agent = api("agent")
    started = start(agent, "complaint", INTAKE)
    complete(agent, only_task(agent, started["id"])["id"], TRIAGE)
    complete(api("engineer"), only_task(api("engineer"), started["id"])["id"], HANDLED)
    instance = ProcessInstance.objects.get(pk=started["id"])
    do_update_instance_data(cast["cs_head"], instance, {"priority": "high"}, "客户再次来电催促")
    return started["id"]


def auditor(cast) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(cast["auditor"])
    return client


def shown(html: str) -> str:
    """The table's text without the collapsed raw details."""
    table = html.split('id="audit-table"', 1)[1].split("</table>", 1)[0]
    table = re.sub(r'<details class="anju-raw">.*?</details>', "", table, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))


def test_the_timeline_reads_as_words(cast, case):
    html = auditor(cast).get(f"/audit/instances/{case}/").content.decode()
    text = shown(html)
    assert "受理渠道: 400热线" in text and "问题类型: 投诉" in text
    assert re.search(r"建议赔付金额[(（]元[)）] : — → ¥2,500\.00", text)
    assert "客户问题受理通知" in text and "收件人: 138****8000" in text
    assert re.search(r"消息编号: \d+", text) and "状态: 已记录" in text  # the outbox row's id
    # The correction, field by field with the choice titles.
    assert re.search(r"优先级 : 普通[(（]72小时内处理[)）] → 高[(（]24小时内处理[)）]", text)
    assert re.search(r"\d\d-\d\d \d\d:\d\d", text)
    for raw in ("hotline", "COMPLAINT_ACCEPTED", "message_id", "template", "params",
                "notify/send_sms", "2500.0", "recorded", "priority", "normal"):  # fmt: skip
        assert raw not in text, raw


def test_the_details_as_stored_are_one_click_away_and_masked(cast, case):
    html = auditor(cast).get(f"/audit/instances/{case}/").content.decode()
    raw = "".join(re.findall(r'<details class="anju-raw">(.*?)</details>', html, flags=re.S))
    assert "原始数据" in raw and "COMPLAINT_ACCEPTED" in raw and "&quot;message_id&quot;" in raw
    assert "138****8000" in raw and "13800138000" not in raw


def test_the_export_names_the_flow_and_reads_as_words(cast, case):
    response = auditor(cast).get("/audit/export.csv", {"business_key": ""})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    mine = [r for r in rows[1:] if r[4].startswith("COMPLAINT-")]
    assert mine and all(r[3] == "客户投诉处理" for r in mine)
    details = " ".join(r[8] for r in mine)
    assert "¥2,500.00" in details and "客户问题受理通知" in details and "COMPLAINT_ACCEPTED" not in details
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", mine[0][0])


def test_the_compliance_report_names_the_flows(cast, case):
    html = (
        auditor(cast)
        .get("/audit/reports/", {"date_from": "2026-11-01", "date_to": "2026-12-31"})
        .content.decode()
    )
    callbacks = html.split('id="report-callbacks"', 1)[1].split("</section>", 1)[0]
    assert "<td>客户投诉处理</td>" in callbacks
    assert "<td>complaint</td>" not in callbacks and "<td>movein_room</td>" not in callbacks
