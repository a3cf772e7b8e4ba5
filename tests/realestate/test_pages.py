"""Pages: 客户 list and form, 房源 销控表, 导入 upload and job page. Chinese first."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from webapp.privacy import mask_id
from webapp.realestate.customers import save_customer
from webapp.realestate.models import Customer, ImportJob, Room, RoomStatus

from .conftest import customer_body, resident_id, room_row, wait_for_job, xlsx

FORM = {k: v for k, v in customer_body().items()}


def test_pages_need_a_login(web) -> None:
    for url in ("/customers/", "/customers/new/", "/rooms/", "/imports/", "/imports/templates/rooms.xlsx"):
        response = web(None).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_customer_list_searches_by_pinyin_initials(web, master) -> None:
    client = web("sales")
    page = client.get("/customers/").content.decode()
    assert "客户" in page and "新建客户" in page
    assert page.count("data-customer=") == 10
    page = client.get("/customers/", {"q": "zgh"}).content.decode()
    assert page.count("data-customer=") == 1 and "曾国华" in page
    page = client.get("/customers/", {"q": "nobody"}).content.decode()
    assert page.count("data-customer=") == 0 and "没有符合" in page


def test_the_customer_form_shows_errors_beside_the_fields(web, master) -> None:
    number = resident_id()
    bad = {**FORM, "id_number": number[:-1] + ("0" if number[-1] != "0" else "1"), "mobile": ""}
    response = web("sales").post("/customers/new/", bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "请更正标出的字段" in page or "is-invalid" in page
    for field in ("id_number", "mobile"):
        match = re.search(rf'<input class="form-control is-invalid"[^>]*id="id_{field}"', page)
        assert match, field
        assert f'id="err_{field}"' in page
    assert "校验位" in page
    assert 'value="张三"' in page  # what was typed stays
    assert not Customer.objects.filter(name="张三", id_number=bad["id_number"]).exists()


def test_creating_and_editing_a_customer(web, master) -> None:
    client = web("sales")
    response = client.post("/customers/new/", FORM)
    assert response.status_code == 302
    customer = Customer.objects.get(id_number=FORM["id_number"])
    assert customer.name_initials == "zs" and customer.created_by.username == "sales"
    page = client.get(response["Location"]).content.decode()
    assert "已保存客户" in page
    page = client.get(f"/customers/{customer.pk}/edit/").content.decode()
    # The ID is shown masked as the placeholder (孙丽 may reveal it); the birth date as it is.
    assert f'placeholder="{mask_id(customer.id_number)}"' in page and 'value="1985-03-12"' in page
    assert customer.id_number not in page and 'data-reveal-input="id_id_number"' in page
    response = client.post(
        f"/customers/{customer.pk}/edit/", {**FORM, "name": "单雄信", "is_group_employee": "on"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.name_pinyin, customer.is_group_employee) == (
        "单雄信",
        "shanxiongxin",
        True,
    )


def test_the_edit_page_shows_audit_problems_of_old_records(web, cast) -> None:
    customer = Customer.objects.create(
        company=cast["sales"].company, name="老客户", customer_type="individual", nationality="中国",
        id_type="resident_id", id_number=resident_id(), address="", created_at=cast["sales"].date_joined,
    )  # fmt: skip
    page = web("sales").get(f"/customers/{customer.pk}/edit/").content.decode()
    assert 'id="audit-problems"' in page and "通讯地址" in page


def test_another_company_customer_is_404(web, cast) -> None:
    customer = save_customer(cast["sales"].company, cast["sales"], customer_body())
    assert web("outsider").get(f"/customers/{customer.pk}/edit/").status_code == 404
    assert web("outsider").post(f"/customers/{customer.pk}/edit/", FORM).status_code == 404


def test_the_sales_control_chart_shows_floors_top_down_with_status_colours(web, master) -> None:
    Room.objects.filter(code="BH-3-1-1502").update(status=RoomStatus.SUBSCRIBED)
    Room.objects.filter(code="BH-3-2-1801").update(status=RoomStatus.CONTRACTED)
    Room.objects.filter(code="BH-3-2-101").update(status=RoomStatus.DELIVERED)
    response = web("sales").get("/rooms/", {"project": "binhai"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "销控表" in page
    floors = [
        int(n) for n in re.findall(r'<th class="text-center align-middle" scope="row">(-?\d+)</th>', page)
    ]
    assert floors == list(range(18, 0, -1))
    assert page.count('class="re-room re-') == 72  # building 3: 2 units × 18 floors × 2 rooms
    room = Room.objects.get(code="BH-3-1-1502")
    cell = re.search(rf'<td class="re-room re-(\w+)" data-room="{room.pk}"[^>]*title="([^"]*)"', page)
    assert cell and cell.group(1) == "subscribed"
    assert f"{room.built_area:.2f}㎡" in cell.group(2) and f"¥{room.list_price:,.2f}" in cell.group(2)
    legend = dict(
        re.findall(r'<span data-status="(\w+)">.*?<strong class="re-count">(\d+)</strong>', page, re.S)
    )
    assert legend == {"available": "69", "subscribed": "1", "contracted": "1", "delivered": "1"}
    assert "可售" in page and "认购" in page and "签约" in page and "交付" in page


def test_the_chart_switches_building_and_stays_in_the_company(web, master) -> None:
    building5 = Room.objects.get(code="BH-5-1-101").floor.unit.building
    page = web("sales").get("/rooms/", {"project": "binhai", "building": building5.pk}).content.decode()
    assert f'data-room="{Room.objects.get(code="BH-5-1-101").pk}"' in page
    page = web("sales").get("/rooms/", {"project": "shanyu"}).content.decode()
    assert page.count('class="re-room re-') == 12
    page = web("outsider").get("/rooms/", {"project": "binhai"}).content.decode()
    assert "安居·江湾府" in page and "安居·滨海花园" not in page


def test_the_import_page_refuses_a_non_xlsx_file_with_a_message(web, master) -> None:
    response = web("sales").post(
        "/imports/", {"kind": "rooms", "file": SimpleUploadedFile("rooms.csv", b"a,b\n1,2\n")}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is-invalid" in page and ".xlsx" in page
    assert not ImportJob.objects.exists()


@pytest.mark.django_db(transaction=True)  # the import runs in a thread after commit
def test_uploading_shows_the_job_page_and_the_failed_report_offers_to_skip(web, api, master) -> None:
    client = web("sales")
    rows = [room_row("BH-9-1-101"), room_row("BH-9-1-102", name="102", list_price="免费")]
    response = client.post(
        "/imports/", {"kind": "rooms", "file": SimpleUploadedFile("rooms.xlsx", xlsx("rooms", rows))}
    )
    assert response.status_code == 302
    job_url = response["Location"]
    job_id = int(job_url.rstrip("/").rsplit("/", 1)[-1])
    wait_for_job(api("sales"), job_id)
    page = client.get(job_url).content.decode()
    assert 'id="import-errors"' in page and 'data-row="3"' in page and "标准总价" in page
    assert "没有导入任何数据" in page
    assert 'id="skip-bad-rows"' in page
    response = client.post(f"/imports/{job_id}/skip-bad-rows/")
    assert response.status_code == 302
    rerun_id = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    wait_for_job(api("sales"), rerun_id)
    page = client.get(response["Location"]).content.decode()
    assert "已导入 1 行" in page
    assert Room.objects.filter(code="BH-9-1-101").exists()
    listing = client.get("/imports/").content.decode()
    assert f'data-job="{job_id}"' in listing and f'data-job="{rerun_id}"' in listing


def test_an_active_job_page_has_a_progress_bar_that_polls_the_api(web, cast) -> None:
    from webapp.realestate.imports import create_import_job

    job = create_import_job(
        cast["sales"].company, cast["sales"], "rooms", "r.xlsx", xlsx("rooms", [room_row()])
    )
    page = web("sales").get(f"/imports/{job.pk}/").content.decode()
    assert 'class="progress re-progress"' in page and 'role="progressbar"' in page
    assert f'data-url="/api/imports/{job.pk}/"' in page and 'data-active="1"' in page
    assert "realestate/import_job.js" in page
    assert web("outsider").get(f"/imports/{job.pk}/").status_code == 404


def test_the_pages_speak_english_when_asked(web, master) -> None:
    client = web("sales")
    client.cookies["django_language"] = "en"
    page = client.get("/customers/").content.decode()
    assert "New customer" in page
    page = client.get("/rooms/").content.decode()
    assert "Sales control chart" in page and "Available" in page


def test_the_static_files_are_served(web) -> None:
    for path in ("/static/realestate/realestate.css", "/static/realestate/import_job.js"):
        response = web(None).get(path)
        assert response.status_code == 200, path
