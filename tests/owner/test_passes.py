"""Passes in the owner's channel (issue 16, "Done when"): a tenant invites a visitor for two
entries, the guard admits the visitor twice and refuses the third entry (次数已用完); a decoration
pass goes to the steward and back; another resident sees none of it (404); every change audited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from engine.models import AuditEvent, OutboxMessage
from webapp.passes.models import Pass, PassEntry

from .conftest import MEMBER_MOBILE, OWNER_MOBILE, _customer, _live, signed_in_client

TENANT_MOBILE = "13712340021"
VISITOR_MOBILE = "13900001111"


@pytest.fixture
def tenant(residents: dict[str, Any]) -> Any:
    """冯租户, tenant of sz's fourth demo room."""
    customer = _customer(residents["other_room"].company, "冯租户", TENANT_MOBILE, 11)
    _live(customer, residents["other_room"], "tenant")
    return customer


def _staff(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invite(client: Client, room: Any, **changes: str) -> Any:
    body = {"room": room.pk, "holder_name": "访客陈", "holder_mobile": VISITOR_MOBILE,
            "valid_from": "2026-11-27", "valid_until": "2026-11-28", "max_entries": "2", **changes}  # fmt: skip
    return client.post("/my/passes/new/", body)


def code_on(page: Any) -> str:
    """The code under the QR code, as the pass page shows it (#pass-code)."""
    found = re.search(r'id="pass-code">([^<]+)<', page.content.decode())
    assert found, page.content.decode()[:2000]
    return found.group(1).strip()


def admit(guard: Client, code: str) -> tuple[str, str]:
    """The guard's page: (data-result, the message shown)."""
    page = guard.post("/passes/gate/", {"code": code, "gate": "北门"})
    assert page.status_code == 200
    html = page.content.decode()
    result = re.search(r'id="admit-result" data-result="(\w+)"', html)
    message = re.search(r'id="admit-message">([^<]+)<', html)
    assert result and message, html[:3000]
    return result.group(1), message.group(1).strip()


def test_a_tenant_invites_a_visitor_and_the_guard_admits_twice_then_refuses(residents, tenant, cast):
    client = signed_in_client(TENANT_MOBILE)
    assert client.get("/my/passes/new/").status_code == 200
    response = invite(client, residents["other_room"])
    assert response.status_code == 302, response.content.decode()[:2000]
    gate_pass = Pass.objects.get(issued_by_customer=tenant)
    assert response["Location"] == f"/my/passes/{gate_pass.pk}/"
    assert (gate_pass.kind, gate_pass.status, gate_pass.max_entries) == ("visitor", "active", 2)
    page = client.get(response["Location"])
    assert page.status_code == 200 and "<svg" in page.content.decode()
    code = code_on(page)
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}", code)  # random, not the pass's id

    sms = OutboxMessage.objects.get(template_id="PASS_ISSUED", recipient=f"+86{VISITOR_MOBILE}")
    link = sms.params["link"]
    assert "/pass/" in link and code == sms.params["code"]
    visitor_page = Client().get(link[link.index("/pass/") :])  # the visitor opens the SMS's link
    assert visitor_page.status_code == 200 and code_on(visitor_page) == code

    guard = _staff(cast["guard"])
    assert admit(guard, code) == ("admitted", "放行")
    token = link[link.index("/pass/") + len("/pass/") :].rstrip("/")
    assert admit(guard, token) == ("admitted", "放行")  # the QR code's content: the signed token
    assert admit(guard, code) == ("refused", "拒绝：次数已用完")
    gate_pass.refresh_from_db()
    assert gate_pass.entries_used == 2
    assert list(
        PassEntry.objects.filter(gate_pass=gate_pass).order_by("pk").values_list("result", "reason")
    ) == [("admitted", ""), ("admitted", ""), ("refused", "used_up")]
    listing = client.get("/my/passes/").content.decode()
    assert "次数已用完" in listing and "已用 2 次，剩余 0 次" in listing

    changes = list(
        AuditEvent.objects.filter(process_key="passes", element_id=f"pass:{gate_pass.pk}")
        .order_by("pk").values_list("details__change", "actor_name")
    )  # fmt: skip
    assert changes == [
        ("issued", "住户 137****0021"),
        ("entry_admitted", "王保安"),
        ("entry_admitted", "王保安"),
        ("entry_refused", "王保安"),
    ]


def test_another_resident_sees_none_of_it(residents, tenant):
    client = signed_in_client(TENANT_MOBILE)
    invite(client, residents["other_room"])
    gate_pass = Pass.objects.get(issued_by_customer=tenant)
    other = signed_in_client(MEMBER_MOBILE)
    assert other.get(f"/my/passes/{gate_pass.pk}/").status_code == 404
    assert other.post(f"/my/passes/{gate_pass.pk}/revoke/").status_code == 404
    assert "访客陈" not in other.get("/my/passes/").content.decode()
    # nor may one issue a pass for a room that is not one's own
    assert invite(other, residents["other_room"]).status_code == 404
    assert Pass.objects.count() == 1
    assert Client().get("/my/passes/")["Location"] == "/my/login/"


def test_a_revoked_pass_is_refused_and_its_page_shows_no_qr(residents, tenant, cast):
    client = signed_in_client(TENANT_MOBILE)
    invite(client, residents["other_room"])
    gate_pass = Pass.objects.get(issued_by_customer=tenant)
    code = code_on(client.get(f"/my/passes/{gate_pass.pk}/"))
    response = client.post(f"/my/passes/{gate_pass.pk}/revoke/", {"reason": "行程取消"})
    assert response.status_code == 302
    page = client.get(f"/my/passes/{gate_pass.pk}/").content.decode()
    assert "已撤销" in page and "<svg" not in page and 'id="revoke-form"' not in page
    assert admit(_staff(cast["guard"]), code) == ("refused", "拒绝：已撤销")
    assert client.post(f"/my/passes/{gate_pass.pk}/revoke/").status_code == 400  # not twice
    event = AuditEvent.objects.get(element_id=f"pass:{gate_pass.pk}", details__change="revoked")
    assert event.details["reason"] == "行程取消" and event.actor_name == "住户 137****0021"


def test_bad_input_is_a_400_with_the_fields(residents, tenant):
    client = signed_in_client(TENANT_MOBILE)
    response = invite(client, residents["other_room"], holder_name="", holder_mobile="12345",
                      valid_from="2026-11-30", valid_until="2026-11-29", max_entries="0")  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("holder_name", "holder_mobile", "valid_until", "max_entries"):
        assert f'data-field="{field}"' in html
    too_long = invite(client, residents["other_room"], valid_until="2027-01-30")
    assert too_long.status_code == 400 and 'data-field="valid_until"' in too_long.content.decode()
    past = invite(client, residents["other_room"], valid_from="2026-11-26")
    assert past.status_code == 400 and 'data-field="valid_from"' in past.content.decode()
    assert not Pass.objects.exists()


def test_decoration_request_is_approved_by_the_steward_then_admitted(residents, cast):
    client = signed_in_client(OWNER_MOBILE)
    room = residents["owner_rooms"][0]
    body = {"room": room.pk, "holder_name": "装修工刘", "holder_mobile": "13900002222",
            "holder_id_number": "110105199003070025", "valid_from": "2026-11-28", "valid_until": "2027-01-31",
            "note": "铺地砖"}  # fmt: skip
    assert client.get("/my/passes/decoration/").status_code == 200
    bad = client.post("/my/passes/decoration/", {**body, "holder_id_number": "110105199003070024",
                                                 "valid_until": "2027-03-01"})  # fmt: skip
    assert bad.status_code == 400
    assert (
        'data-field="holder_id_number"' in bad.content.decode()
        and 'data-field="valid_until"' in bad.content.decode()
    )
    response = client.post("/my/passes/decoration/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    gate_pass = Pass.objects.get(kind="decoration")
    assert (gate_pass.status, gate_pass.max_entries) == ("pending", None)
    page = client.get(f"/my/passes/{gate_pass.pk}/").content.decode()
    assert "待审批" in page and "<svg" not in page and "110105********0025" in page
    assert not OutboxMessage.objects.filter(template_id="PASS_DECORATION_APPROVED").exists()

    steward = _staff(cast["steward"])
    listing = steward.get("/passes/decorations/").content.decode()
    assert f'id="decoration-{gate_pass.pk}"' in listing and "110105********0025" in listing
    assert "110105199003070025" not in listing
    no_reason = steward.post(f"/passes/decorations/{gate_pass.pk}/decide/", {"decision": "reject"})
    assert no_reason.status_code == 400 and 'data-field="reason"' in no_reason.content.decode()
    assert (
        steward.post(f"/passes/decorations/{gate_pass.pk}/decide/", {"decision": "approve"}).status_code
        == 302
    )
    gate_pass.refresh_from_db()
    assert (gate_pass.status, gate_pass.decided_by) == ("active", cast["steward"])
    sms = OutboxMessage.objects.get(template_id="PASS_DECORATION_APPROVED", recipient="+8613900002222")
    assert sms.params["code"] == code_on(client.get(f"/my/passes/{gate_pass.pk}/"))
    again = steward.post(f"/passes/decorations/{gate_pass.pk}/decide/", {"decision": "reject", "reason": "x"})
    assert again.status_code == 400  # decided already

    guard = _staff(cast["guard"])
    assert admit(guard, sms.params["code"]) == ("refused", "拒绝：未到生效日期")  # it starts tomorrow
    from datetime import timedelta

    from engine import clock

    clock.advance(timedelta(days=1))
    for _ in range(3):  # no limit of entries within the days
        assert admit(guard, sms.params["code"]) == ("admitted", "放行")
    changes = list(
        AuditEvent.objects.filter(element_id=f"pass:{gate_pass.pk}")
        .order_by("pk")
        .values_list("details__change", flat=True)
    )
    assert changes[:3] == ["issued", "approved", "entry_refused"] and changes[3:] == ["entry_admitted"] * 3


def test_a_rejected_request_shows_the_reason_and_is_refused_at_the_gate(residents, cast):
    client = signed_in_client(OWNER_MOBILE)
    room = residents["owner_rooms"][0]
    client.post("/my/passes/decoration/", {
        "room": room.pk, "holder_name": "装修工刘", "holder_mobile": "13900002222",
        "holder_id_number": "110105199003070025", "valid_from": "2026-11-27", "valid_until": "2026-11-30",
    })  # fmt: skip
    gate_pass = Pass.objects.get(kind="decoration")
    code = gate_pass.code
    guard = _staff(cast["guard"])
    assert admit(guard, code) == ("refused", "拒绝：待审批")
    steward = _staff(cast["steward"])
    response = steward.post(
        f"/passes/decorations/{gate_pass.pk}/decide/", {"decision": "reject", "reason": "未办装修登记"}
    )
    assert response.status_code == 302
    assert "未办装修登记" in client.get(f"/my/passes/{gate_pass.pk}/").content.decode()
    assert admit(guard, code) == ("refused", "拒绝：已驳回")
    assert AuditEvent.objects.filter(element_id=f"pass:{gate_pass.pk}", details__change="rejected").exists()
