"""What 周敏 sees on the first day of the demo in Chromium: the weeks of history `anju_setup` loads
(webapp/demo_history) ring her bell and fill the SLA dashboard's charts, on a desktop and on a
phone. Marked slow as well: the history takes half a minute to load."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from engine import clock
from engine.auditchain import SEAL_LAG, seal_pending
from tests.browser.test_complaint_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("browser_page", [1440, 390], indirect=True)
def test_the_demo_opens_on_weeks_of_work(live_server: Any, cast: dict, browser_page: Any) -> None:
    seal_pending(clock.now() + SEAL_LAG + timedelta(seconds=1))  # the shared flows' deploy events
    call_command("anju_setup", stdout=StringIO())
    page, base = browser_page, live_server.url
    log_in(page, base, "cs_head")

    assert int(page.inner_text("#alert-count")) > 5
    page.goto(f"{base}/alerts/")
    assert "已升级至客服中心负责人" in page.inner_text("main")

    page.goto(f"{base}/sla/")
    page.wait_for_selector("#sla-charts[data-rendered='true']")
    series = page.evaluate(
        "() => window.anjuCharts['chart-lanes'].getOption().series.map((s) => s.data.reduce((a, b) => a + b, 0))"
    )
    assert len(series) > 3 and sum(series) > 10  # breaches and warnings of several departments
    assert "这几周没有预警或超时" not in page.content()
    assert page.js_errors == []
