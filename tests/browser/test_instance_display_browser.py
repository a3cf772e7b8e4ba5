"""The instance page of a complaint whose acceptance SMS went out, in Chromium (issue 13.7): the
data panel in words (titles, choice titles, 72 小时, ¥ amounts), the SMS as sent in the 通知
section with the mobile masked, and the stored data behind one click on 原始数据."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine import actions
from engine.models import Task
from tests.browser.test_complaint_browser import log_in
from tests.complaint_data import INTAKE, TRIAGE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("browser_page", [1440, 390], indirect=True)
def test_the_instance_page_reads_as_words_and_shows_the_sms_sent(
    live_server: Any, cast: dict, flow: Any, browser_page: Any
) -> None:
    flow("complaint")
    instance = actions.do_start_instance(cast["agent"], "complaint", INTAKE)
    actions.do_complete_task(cast["agent"], Task.objects.get(instance=instance, state="ready"), TRIAGE)
    handle = Task.objects.get(instance=instance, state="ready")
    actions.do_claim_task(cast["engineer"], handle)
    actions.do_complete_task(cast["engineer"], handle, {
        "handling_result": "已上门修补。", "measures_taken": "外墙打胶", "compensation_needed": True,
        "proposed_compensation_amount": 2500,
    })  # fmt: skip
    page, base = browser_page, live_server.url

    log_in(page, base, "agent")
    page.goto(f"{base}/instances/{instance.pk}/")
    data = page.locator("#instance-data")
    text = data.inner_text()
    assert "处理时限" in text and "72 小时" in text
    assert "建议赔付金额" in text and "¥2,500.00" in text
    assert "问题分类" in text and "工程质量" in text
    for raw in ("handle_due", "PT72H", "issue_title", "reopen_count", "construction_quality", "2500.0"):
        assert raw not in text, raw

    notices = page.locator("#notices")
    notices.scroll_into_view_if_needed()
    assert notices.is_visible()
    sms = notices.inner_text()
    assert "客户问题受理通知" in sms and "短信" in sms and "已记录" in sms
    assert f"尊敬的张三，您反映的问题已受理，受理编号{instance.business_key}" in sms
    assert "138****8000" in sms and "13800138000" not in page.content()
    assert re.search(r"\d\d-\d\d \d\d:\d\d", sms)

    raw = page.locator("#raw-data pre")
    assert not raw.is_visible()
    page.locator("#raw-data summary").click()
    assert raw.is_visible()
    assert '"handle_due": "PT72H"' in raw.inner_text()
    assert page.js_errors == []
