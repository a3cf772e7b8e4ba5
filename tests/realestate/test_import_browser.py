"""The 导入 page in Chromium: upload, the job page polls until done, then the per-row report and
"skip bad rows"; the 销控表 renders its colours. Runs where Debian's Chromium is installed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import browser_page  # noqa: F401 (the shared Chromium fixture)
from webapp.realestate.models import Room

from .conftest import room_row, xlsx

pytestmark = pytest.mark.browser


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "anju2026")
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/inbox/"))


def test_upload_watch_progress_then_skip_bad_rows(browser_page, live_server, master) -> None:  # noqa: F811
    page = browser_page
    log_in(page, live_server.url, "sales")
    rows = [room_row(f"BH-9-1-{n}01", floor=n, name=f"{n}01") for n in range(1, 300)]
    rows[41] = room_row("BH-9-1-4201", floor=42, name="4201", list_price="面议")  # Excel row 43
    page.goto(f"{live_server.url}/imports/")
    page.select_option("#id_kind", "rooms")
    page.set_input_files(
        "#id_file",
        {"name": "rooms.xlsx", "mimeType": "application/octet-stream", "buffer": xlsx("rooms", rows)},
    )
    page.click("#import-form button[type=submit]")
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    # The page polls the API and reloads itself when the job has finished.
    page.wait_for_selector("#import-result.alert-danger", timeout=30_000)
    assert page.locator("#import-errors tbody tr").count() == 1
    assert page.inner_text("#import-errors tbody tr td:first-child") == "43"
    assert not Room.objects.filter(code__startswith="BH-9-1-").exists()
    page.click("#skip-bad-rows button")
    page.wait_for_selector("#import-result.alert-success", timeout=30_000)
    assert "298" in page.inner_text("#import-result")
    assert Room.objects.filter(code__startswith="BH-9-1-").count() == 298
    assert page.js_errors == []


def test_the_sales_control_chart_colours_rooms_by_status(browser_page, live_server, master) -> None:  # noqa: F811
    Room.objects.filter(code="BH-3-1-1502").update(status="subscribed")
    page = browser_page
    log_in(page, live_server.url, "sales")
    page.goto(f"{live_server.url}/rooms/?project=binhai")
    room = Room.objects.get(code="BH-3-1-1502")
    cell = page.locator(f'td[data-room="{room.pk}"]')
    colour = cell.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(232, 89, 12)"  # 认购 orange
    available = page.locator('td[data-status="available"]').first
    assert available.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(25, 135, 84)"
