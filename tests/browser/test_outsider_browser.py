"""The outsider's journey (issue 13, done-when): 马克, 客服主管 of the Shanghai company, signs in on
a desktop and on a phone and finds nothing of the Shenzhen company — not its complaint in his
inbox or instance list, not its customers, and its instance's address is the 404 page."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.browser.test_complaint_browser import log_in, log_out
from tests.complaint_data import INTAKE
from tests.helpers import start


@pytest.mark.parametrize("browser_page", [1440, 390], indirect=True, ids=["desktop", "phone"])
def test_the_outsider_finds_nothing_of_another_company(
    live_server: Any,
    cast: dict,
    flow: Any,
    master: dict,
    browser_page: Any,
) -> None:
    flow("complaint")
    agent = APIClient()
    agent.force_login(cast["agent"])
    complaint = start(agent, "complaint", {**INTAKE, "customer_name": "欧阳外司"})
    key = complaint["business_key"]
    page, base = browser_page, live_server.url

    log_in(page, base, "outsider")
    assert key not in page.inner_text("main")  # his inbox
    page.goto(f"{base}/instances/")
    assert key not in page.inner_text("main")
    page.goto(f"{base}/customers/?q=张三")
    assert "张三" not in page.inner_text("main")  # sz's demo customer; sh has its own
    response = page.goto(f"{base}/instances/{complaint['id']}/")
    assert response is not None and response.status == 404
    assert "欧阳外司" not in page.content() and key not in page.content()
    assert page.locator("h1").inner_text().startswith("未找到")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    log_out(page)
    assert page.js_errors == []
