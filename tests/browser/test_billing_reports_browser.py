"""费用统计 in Chromium: the steward 钱进 opens the fee reports of 滨海花园 for November, ECharts draws
the months (receivable, received, collection rate) and the buildings, and a click on a building's
bar drills down to its rooms. Bills: 1502 254.70 (paid 100.00) and 0101 342.00 in 3栋, 0802 190.00
in 5栋 (tests/billing/conftest.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.billing.conftest import billed, bills, pay, run_and_post  # noqa: F401 (fixture)
from tests.fees.conftest import estate  # noqa: F401 (fixture)

from .test_complaint_browser import log_in
from .test_sla_browser import click_bar

pytestmark = pytest.mark.browser


def test_the_fee_charts_draw_and_a_building_drills_down_to_its_rooms(
    live_server: Any,
    api: Any,
    billed: Any,  # noqa: F811 (the fixture imported above)
    browser_page: Any,
) -> None:
    run_and_post(api("steward"), billed, "2026-11")
    flat = next(b for b in bills(api("cashier"), billed) if b["room_code"] == "BH-3-1-1502")
    pay(api("cashier"), billed, [flat["id"]], "100.00")
    page, base = browser_page, live_server.url
    log_in(page, base, "steward")
    page.goto(f"{base}/billing/reports/?project={billed['binhai'].pk}&from=2026-11&to=2026-11")
    page.wait_for_selector("#report-charts[data-rendered='true']")
    for chart in ("chart-months", "chart-places"):
        assert page.locator(f"#{chart} svg path").count() > 0, chart
    assert page.evaluate("window.anjuCharts['chart-places'].getOption().series[0].data") == [596.7, 190]
    assert page.inner_text("[data-figure='receivable']") == "786.70"
    click_bar(page, "chart-places", 0, 0)  # 3栋
    page.wait_for_url(re.compile(r"/billing/reports/\?.*building=\d+"))
    page.wait_for_selector("#report-charts[data-rendered='true']")
    assert page.inner_text("[data-figure='receivable']") == "596.70"
    assert "BH-3-1-1502" in page.inner_text("#chart-places") or "1502" in page.inner_text("#chart-places")
    assert page.js_errors == []
