"""维修统计 in Chromium: 何平 (dispatcher) opens the statistics from the menu, ECharts draws the
satisfaction and the per-estate, category, team and technician charts, and a click on an estate's bar
drills down to that estate's figures. The repairs are the hand-made set of tests/repairs/test_stats.py."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.test_complaint_browser import log_in
from tests.browser.test_sla_browser import click_bar
from tests.repairs.test_stats import build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def world(cast: dict) -> dict[str, Any]:
    return build_world(cast)


def test_the_charts_draw_and_a_bar_drills_down_to_its_estate(
    live_server: Any, world: dict, browser_page: Any
) -> None:
    page, base = browser_page, live_server.url
    log_in(page, base, "dispatcher")
    page.click("#nav-repair-stats")
    page.wait_for_url(re.compile(r"/repairs/stats/$"))
    page.wait_for_selector("#stats-charts[data-rendered='true']")
    for chart in ("chart-satisfaction", "chart-project", "chart-category", "chart-team", "chart-technician"):
        assert page.locator(f"#{chart} svg path").count() > 0, chart
    assert page.evaluate("window.anjuCharts['chart-project'].getOption().series[0].data") == [3, 1]
    assert "安居·滨海花园" in page.inner_text("#chart-project")
    assert page.inner_text("[data-figure='closed']") == "4"

    click_bar(page, "chart-project", 0, 0)  # 滨海花园's closed repairs
    page.wait_for_url(
        re.compile(rf"/repairs/stats/\?from=2026-10-29&to=2026-11-27&project={world['binhai'].pk}$")
    )
    page.wait_for_selector("#stats-charts[data-rendered='true']")
    assert page.inner_text("[data-figure='closed']") == "3"
    assert "安居·滨海花园" in page.inner_text("[data-chip='project']")
    assert (
        page.locator("#chart-project").count() == 0 and page.locator("#chart-category svg path").count() > 0
    )
    assert page.js_errors == []
