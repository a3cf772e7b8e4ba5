"""A repair in Chromium: 李娜 (hotline) records a leak for a room picked by typing its number and an
owner picked by typing the name; the emergency reaches 张伟 on duty by SMS; he accepts, arrives,
uploads the photo after the repair on the task page and finishes with a paid part the resident
confirmed (the bill is recorded) and the owner's evaluation; 李娜's 维修回访 and 何平's 结案 close
it; the room's and the owner's pages list it."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from engine.models import Bill, OutboxMessage
from tests.browser.test_complaint_browser import log_in, log_out, submit_task, task_row
from tests.repairs.conftest import make_repair_world
from webapp.repairs.models import Repair

pytestmark = pytest.mark.browser


def jpeg_file(name: str) -> dict[str, Any]:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), (60, 120, 180)).save(out, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


@pytest.fixture
def repairs(cast: dict, flow: Any) -> dict[str, Any]:
    return make_repair_world(cast, flow)


def open_task(page: Any, base: str, business_key: str, task_name: str) -> None:
    """From the inbox: claim the task when it is the group's, then open it."""
    page.goto(f"{base}/inbox/")
    row = task_row(page, business_key, task_name)
    claim = row.get_by_role("button", name="认领", exact=True)
    if claim.count():
        claim.click()
        page.wait_for_selector("#messages .alert-success")
        row = task_row(page, business_key, task_name)
    row.get_by_role("link", name="处理", exact=True).click()
    page.wait_for_selector("#task-form")
    assert page.inner_text("#task-name") == task_name


def test_a_leak_from_the_hotline_to_closed(
    live_server: Any, cast: dict, repairs: dict, browser_page: Any
) -> None:
    page, base = browser_page, live_server.url
    room, owner = repairs["room"], repairs["owner"]

    # 李娜 records the leak: the estate, the owner by name, the room by its number.
    log_in(page, base, "agent")
    page.goto(f"{base}/repairs/new/")
    page.wait_for_selector("#start-form")
    page.locator("#id_project").press_sequentially("滨海")
    page.get_by_role("option", name="安居·滨海花园").click()
    page.locator("#id_customer_name").press_sequentially("陈业主")
    page.get_by_role("option", name=re.compile("^陈业主")).first.click()
    assert page.input_value("#id_customer_id") == str(owner.pk)
    page.fill("#id_customer_mobile", "13912345678")
    page.get_by_role("radio", name="房间").check()
    page.locator("#id_room").press_sequentially("0101")
    page.get_by_role("option", name="安居·滨海花园 7栋1单元0101").click()
    assert page.input_value("#id_room_id") == str(room.pk)
    page.get_by_role("radio", name="24小时热线").check()
    page.get_by_role("radio", name="水电").check()
    page.fill("#id_description", "厨房水管爆裂，正在漏水")
    page.get_by_role("radio", name="紧急", exact=True).check()
    page.get_by_role("radio", name="有偿").check()
    page.click("#start-submit")
    page.wait_for_load_state()
    repair = Repair.objects.get()
    key = repair.instance.business_key
    assert repair.room_id == room.pk and repair.customer_id == owner.pk and repair.status == "dispatched"
    sms = OutboxMessage.objects.get(template_id="REPAIR_EMERGENCY")
    assert sms.recipient.endswith("13800138031")
    log_out(page)

    # 张伟 (on duty) finds it in his inbox: accepts, arrives, photographs and finishes it.
    log_in(page, base, "technician")
    open_task(page, base, key, "接单")
    page.get_by_role("radio", name="接单", exact=True).check()
    submit_task(page)
    open_task(page, base, key, "到场")
    submit_task(page)
    open_task(page, base, key, "完工")
    page.set_input_files("#id_panel_photos", [jpeg_file("after.jpg")])
    page.click("#upload-panel-photos")
    page.wait_for_selector("#messages .alert-success")
    assert page.locator("#repair-panel figure[data-kind='after']").count() == 1
    page.fill("#id_result", "更换厨房冷水管及角阀，试水无渗漏")
    page.fill("#id_materials", "PPR 管 2 米，角阀 1 个")
    page.fill("#id_labour_charge", "80")
    page.fill("#id_material_charge", "45.50")
    page.get_by_label("住户已确认金额").check()
    page.get_by_role("radio", name="当面确认").check()
    page.get_by_role("radio", name="5 非常满意").check()
    submit_task(page)
    log_out(page)
    assert Bill.objects.get(instance_id=repair.instance_id).amount == 125.50

    # 李娜 calls back, 何平 closes it.
    log_in(page, base, "agent")
    open_task(page, base, key, "维修回访")
    page.get_by_role("radio", name="已联系上报修人").check()
    page.get_by_role("radio", name="已解决，满意").check()
    submit_task(page)
    log_out(page)
    log_in(page, base, "dispatcher")
    open_task(page, base, key, "结案")
    submit_task(page)
    page.goto(f"{base}/repairs/{repair.pk}/")
    assert page.inner_text("#repair-status") == "已关闭"
    assert "¥125.50" in page.inner_text("#repair-bill")
    log_out(page)

    # The room's page and the owner's page list the case, closed.
    log_in(page, base, "cs_head")
    for url in (f"{base}/rooms/{room.pk}/", f"{base}/customers/{owner.pk}/"):
        page.goto(url)
        row = page.locator("#cases-table tbody tr").filter(has_text=key)
        assert row.count() == 1 and "已完成" in row.inner_text(), url
    assert page.js_errors == []
