"""Rights in Chromium (issue 13.1): 黄建 of 鹏程装饰, a contractor's rectification lead with no role,
sees in the menu only his inbox and his defects; typing the address of the customers, the sales
control chart or the subscription ledger gives the 403 page. 孙丽 (置业顾问) has them in her menu."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine import actions
from engine.models import Task
from tests.browser.test_complaint_browser import log_in, log_out, open_menu
from tests.movein.conftest import BATCH_BODY, PREPARE, contracted_rooms, record_defect
from webapp.movein.batches import do_create_batch
from webapp.movein.models import BatchRoom, Defect, Trade, TradeAssignment

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("browser_page", [1440, 390], indirect=True, ids=["desktop", "phone"])
def test_a_contractor_sees_his_tasks_and_defects_and_nothing_of_sales(
    live_server: Any, cast: dict, api: Any, movein: dict, browser_page: Any
) -> None:
    # A door defect of 滨海花园 goes straight to 鹏程装饰's rectification.
    TradeAssignment.objects.create(
        project=movein["project"], trade=Trade.DOORS, contractor=movein["pengcheng"]
    )
    building, _rooms = contracted_rooms(cast["agent"].company, movein["project"], "8", 1)
    batch = do_create_batch(
        cast["cs_head"], {**BATCH_BODY, "project": movein["project"].pk, "buildings": [building.pk]}
    )
    actions.do_complete_task(
        cast["agent"], Task.objects.get(instance_id=batch.instance_id, state="ready"), PREPARE
    )
    room = Task.objects.get(process_key="movein_room", state="ready").instance
    batch_room = BatchRoom.objects.get(instance=room)
    recorded = record_defect(
        api, "engineer", batch_room.pk, movein["items"]["doors.leaf_operation"], description="户门门扇下沉"
    )
    assert recorded.status_code == 201, recorded.content
    defect = Defect.objects.get()
    page, base = browser_page, live_server.url

    log_in(page, base, "contractor")
    menu = page.locator("#anju-nav .navbar-nav").first
    assert page.locator("#nav-issue").count() == 0  # no flows started by hand
    assert page.locator("#nav-sales").count() == 0  # no customers, chart, ledger, imports
    assert page.locator("#nav-sla, #nav-designer, #nav-audit, #nav-settings").count() == 0
    open_menu(page)  # on a phone the menu is folded
    assert "待办" in menu.inner_text()
    page.click("#nav-movein")
    movein_menu = page.locator("#nav-movein + .dropdown-menu").inner_text()
    assert "我的整改问题" in movein_menu and "入伙批次" not in movein_menu
    page.click("#nav-defects")
    page.wait_for_url(re.compile(r"/movein/defects/$"))
    row = page.locator(f"#defects-table tr[data-defect='{defect.pk}']")
    assert "户门门扇下沉" in row.inner_text()
    row.get_by_role("link").last.click()
    page.wait_for_url(re.compile(rf"/movein/defects/{defect.pk}/$"))

    for path in (
        "/customers/",
        "/customers/new/",
        "/rooms/",
        "/sales/subscriptions/",
        "/imports/",
        "/movein/",
    ):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 403, path
        assert "403" in page.inner_text("main") and "不能打开" in page.inner_text("main"), path
    assert page.goto(f"{base}/movein/rooms/{batch_room.pk}/").status == 404  # the owner's room: not his work
    assert page.js_errors == []
    log_out(page)

    log_in(page, base, "sales")
    open_menu(page)
    page.click("#nav-sales")
    sales_menu = page.locator("#nav-sales + .dropdown-menu").inner_text()
    assert "客户" in sales_menu and "销控表" in sales_menu and "认购台账" in sales_menu
    assert page.goto(f"{base}/customers/").status == 200
