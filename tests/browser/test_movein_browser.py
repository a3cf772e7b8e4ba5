"""Move-in in Chromium: 王强 records a defect with a photo during the mock inspection, dispatches it to
鹏程装饰, 黄建 uploads the rectification photo and reports the fix, 王强 re-inspects and closes it.
The batch is created and prepared before the browser opens."""

from __future__ import annotations

import io
from typing import Any

import pytest

from engine import actions
from engine.models import Task
from tests.browser.test_complaint_browser import claim_and_open, log_in, log_out, submit_task, task_row
from tests.movein.conftest import BATCH_BODY, PREPARE, contracted_rooms
from webapp.movein.batches import do_create_batch
from webapp.movein.models import Defect, DefectPhoto

pytestmark = pytest.mark.browser


def jpeg_file(name: str, colour: tuple[int, int, int]) -> dict[str, Any]:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


@pytest.mark.parametrize("browser_page", [1440, 390], indirect=True, ids=["desktop", "phone"])
def test_a_defect_is_recorded_with_a_photo_rectified_and_closed(
    live_server: Any,
    cast: dict,
    movein: dict,
    browser_page: Any,
) -> None:
    building, _rooms = contracted_rooms(cast["agent"].company, movein["project"], "7", 1)
    batch = do_create_batch(
        cast["cs_head"], {**BATCH_BODY, "project": movein["project"].pk, "buildings": [building.pk]}
    )
    actions.do_complete_task(
        cast["agent"], Task.objects.get(instance_id=batch.instance_id, state="ready"), PREPARE
    )
    room_key = Task.objects.get(process_key="movein_room", state="ready").instance.business_key
    page, base = browser_page, live_server.url

    # 王强 opens his 模拟验房 task and records a defect on the room's page, with a photo.
    log_in(page, base, "engineer")
    claim_and_open(page, room_key, "模拟验房")
    task_url = page.url
    page.click("#record-defect-link")
    page.wait_for_selector("#defect-form")
    page.select_option("#id_item", label="木门 · 门扇开启")
    page.fill("#id_location", "主卧")
    page.fill("#id_description", "主卧门关闭不严,门缝上宽下窄")
    page.set_input_files("#id_photos", [jpeg_file("door.jpg", (180, 120, 90))])
    page.click("#record-defect")
    page.wait_for_url(task_url)
    assert "已记录问题" in page.inner_text("#messages")
    assert "木门 · 主卧 · 门扇开启" in page.inner_text("#room-panel")
    defect = Defect.objects.get()

    # The dispatch task shows the room and the photo in the inbox; 王强 sends it to 鹏程装饰.
    page.goto(f"{base}/inbox/")
    row = task_row(page, defect.instance.business_key, "问题分派")
    assert row.locator("img.anju-thumb").count() == 1 and "7栋1单元0101" in row.inner_text()
    claim_and_open(page, defect.instance.business_key, "问题分派")
    assert page.locator("#defect-panel img.anju-photo").count() == 1
    assert page.get_by_label("承建商整改").is_checked()  # the form's default
    page.select_option("#id_contractor_id", str(movein["pengcheng"].pk))
    page.fill("#id_rectify_days", "2")
    submit_task(page)
    log_out(page)

    # 黄建 of 鹏程装饰 uploads the photo after rectification and reports the fix.
    log_in(page, base, "contractor")
    claim_and_open(page, defect.instance.business_key, "整改")
    page.set_input_files("#id_rectified_photos", [jpeg_file("after.jpg", (90, 160, 90))])
    page.click("#upload-rectified")
    page.wait_for_selector("#messages .alert-success")
    assert page.locator("#defect-panel figure[data-kind='rectified']").count() == 1
    page.fill("#id_rectification_note", "已调整合页和门框,门缝均匀")
    submit_task(page)
    log_out(page)

    # 王强 re-inspects it and closes it.
    log_in(page, base, "engineer")
    claim_and_open(page, defect.instance.business_key, "复验")
    assert page.locator("#defect-panel figure").count() == 2
    page.get_by_label("合格，关闭问题").check()
    submit_task(page)
    page.goto(f"{base}/movein/defects/{defect.pk}/")
    assert page.inner_text("#defect-status") == "已关闭"
    assert page.locator("#photos figure").count() == 2
    assert DefectPhoto.objects.filter(defect=defect).count() == 2
    assert page.js_errors == []
