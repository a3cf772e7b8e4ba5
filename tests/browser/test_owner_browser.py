"""The owner's channel on a phone (Chromium at 390 px), issue 16's journey: 林租户, a tenant, signs in
with an SMS code, reports a leak with a photo, follows it to 维修中 (张伟's name on it) and
evaluates it once 张伟 has finished; pays October's bill online (the local WeChat Pay v3 server,
the payer "scanning" the order's QR); invites a visitor for two entries. 王保安 at the gate admits
the visitor twice and refuses the third entry. 吴家人, resident of another room, gets a 404 for
every page of it."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from tests.billing.conftest import run_and_post
from tests.owner.conftest import MEMBER_MOBILE, _customer, _live, residents, sent_codes  # noqa: F401 (fixture)
from tests.owner.owner_repair_steps import repair_world, to_done, to_in_progress
from tests.payments.conftest import v3_keys, v3_server, wechat_server  # noqa: F401 (fixtures)
from webapp.billing.models import Charge
from webapp.repairs.models import Repair

pytestmark = pytest.mark.browser

TENANT_MOBILE = "13712340088"
PASSWORD = "anju2026"


def jpeg_file(name: str) -> dict[str, Any]:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (70, 110, 170)).save(out, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


@pytest.fixture
def tenancy(
    cast: dict,
    flow: Any,
    api: Any,
    residents: dict[str, Any],  # noqa: F811
    wechat_server: Any,  # noqa: F811
    settings: Any,
) -> dict:
    """林租户 rents the estate's fourth room (no owner registered: the tenant is billed); October
    is posted; the repair flow routes the estate's reports to 张伟's team."""
    room = residents["other_room"]
    tenant = _customer(room.company, "林租户", TENANT_MOBILE, 9)
    _live(tenant, room, "tenant")
    settings.ANJU_PUBLIC_URL = "https://wuye.anju.example"
    steward = api("steward")
    fee = {
        "project": room.project_id, "code": "wuye", "name": "物业费", "kind": "property",
        "version": {"effective_from": "2026-01-01", "unit_price": "2.85", "late_fee_daily_rate": "0.05",
                    "late_fee_grace_days": 0, "late_fee_cap_percent": "100", "due_days": 15},
    }  # fmt: skip
    assert steward.post("/api/fees/items/", fee, format="json").status_code == 201
    run_and_post(steward, {"binhai": room.project}, "2026-10")
    bill = Charge.objects.get(room=room, period="2026-10")
    assert bill.customer_id == tenant.pk
    repair_world(cast, flow, room)
    return {"room": room, "tenant": tenant, "bill": bill, "server": wechat_server}


def sign_in(page: Any, base: str, mobile: str) -> None:
    page.goto(f"{base}/my/login/")
    page.fill("#mobile", mobile)
    page.get_by_role("button", name="发送验证码").click()
    page.wait_for_url(re.compile(r"/my/login/code/$"))
    page.fill("input[name=code]", sent_codes(mobile)[-1])
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/my/$"))


def staff_log_in(page: Any, base: str, username: str, to: str) -> None:
    page.goto(f"{base}/accounts/login/?next={to}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(re.escape(to) + "$"))


def fits(page: Any) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


@pytest.mark.parametrize("browser_page", [390], indirect=True)
def test_a_tenant_on_a_phone(live_server: Any, cast: dict, tenancy: dict, browser_page: Any) -> None:
    page, base = browser_page, live_server.url
    room, server = tenancy["room"], tenancy["server"]

    # Signed in with the SMS code: the services and the rented room.
    sign_in(page, base, TENANT_MOBILE)
    assert page.locator(f'[data-room="{room.pk}"]').is_visible()
    assert page.locator("#services [data-tile]").count() == 8
    fits(page)

    # 报事报修: a leak, with a photo.
    page.locator('[data-tile="repairs"]').click()
    page.wait_for_url(re.compile(r"/my/repairs/$"))
    page.goto(f"{base}/my/repairs/new/")
    page.select_option("#category", "plumbing_electric")
    page.fill("#description", "卫生间天花板漏水，滴到地面")
    page.set_input_files("#photos", jpeg_file("leak.jpg"))
    fits(page)
    page.locator("#repair-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/my/repairs/\d+/$"))
    repair = Repair.objects.get(room=room)
    assert repair.channel == "owner_app" and repair.photos.count() == 1
    repair_url = page.url
    assert page.locator("#repair-status").get_attribute("data-status") in ("reported", "dispatched")

    # 张伟 takes it: 维修中 with his name; he finishes: the tenant evaluates.
    to_in_progress(repair, cast["technician"], cast["dispatcher"])
    page.reload()
    assert page.inner_text("#repair-status") == "维修中" and "张伟" in page.inner_text("#technician")
    to_done(repair, cast["technician"])
    page.reload()
    page.check("#satisfaction-5")
    page.check("#resolved-yes")
    page.fill("#comment", "师傅很专业")
    page.locator("#evaluate-form button[type=submit]").click()
    page.wait_for_selector("#callback")
    assert "5 / 5" in page.inner_text("#callback") and not page.locator("#evaluate-form").count()
    repair.refresh_from_db()
    assert repair.satisfaction == 5

    # 缴费: October's bill, online.
    page.goto(f"{base}/my/bills/")
    page.locator('section[data-period="2026-10"] input[name=charges]').check()
    fits(page)
    page.click("#pay-selected")
    page.wait_for_selector("#order-status[data-status=created]")
    assert page.locator("#order-qr svg").count() == 1
    server.pay(page.inner_text("#order-number").strip())  # the tenant scans and pays in WeChat
    page.click("#order-refresh")
    page.wait_for_selector("#order-status[data-status=paid]")
    order_url = page.url
    page.click("#order-receipt")
    page.wait_for_selector("#receipt-number")
    receipt_url = page.url
    tenancy["bill"].refresh_from_db()
    assert tenancy["bill"].status == "paid"

    # 通行证: a visitor, two entries.
    page.goto(f"{base}/my/passes/new/")
    page.fill("#holder_name", "陈访客")
    page.fill("#holder_mobile", "13812345678")
    page.fill("#max_entries", "2")
    fits(page)
    page.click("#visitor-submit")
    page.wait_for_url(re.compile(r"/my/passes/\d+/$"))
    pass_url = page.url
    code = page.inner_text("#pass-code").strip()
    assert page.locator("#pass-qr svg, #pass-qr img").count() >= 1

    # 王保安 at the gate (a staff sign-in of another browser): twice in, the third time refused.
    guard = page.context.browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
    )
    gate = guard.new_page()
    try:
        staff_log_in(gate, base, "guard", "/passes/gate/")
        for expected in ("admitted", "admitted", "refused"):
            gate.fill("#admit-code", code)
            gate.click("#admit-submit")
            gate.wait_for_selector(f"#admit-result[data-result={expected}]")
        assert "次数已用完" in gate.inner_text("#admit-message")
    finally:
        guard.close()
    page.reload()
    assert "2" in page.inner_text("#pass-entries")

    # 吴家人, of another room, sees none of it.
    page.locator("header form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/my/login/$"))
    sign_in(page, base, MEMBER_MOBILE)
    for url in (repair_url, order_url, receipt_url, pass_url):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
    assert not page.js_errors
