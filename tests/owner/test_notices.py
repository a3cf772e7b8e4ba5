"""Notices (社区公告) and my messages in the owner's channel: the steward publishes for an estate
or some of its buildings; its residents see it (unread marked) and their reads count once each;
a resident of another estate, or of another building, gets a 404; my messages show the SMS sent to
my mobile, never a sign-in code nor anybody else's SMS."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from engine import clock
from tests.community.people import B5_MOBILE, SHANYU_MOBILE, more_residents, new_notice_id, publish, staff

from .conftest import MEMBER_MOBILE, OWNER_MOBILE, signed_in_client


@pytest.fixture
def people(residents, master):
    return more_residents(residents, master)


def _listed(client) -> dict[int, bool]:
    """notice id → unread, as /my/notices/ shows them."""
    page = client.get("/my/notices/")
    assert page.status_code == 200
    return {
        int(pk): bool(unread)
        for pk, unread in re.findall(r'data-notice="(\d+)"( data-unread="1")?', page.content.decode())
    }


def test_residents_of_the_estate_see_the_notice_and_others_get_a_404(people, cast):
    pk = new_notice_id(publish(staff(cast, "steward"), people["binhai"], title="电梯维保通知"))
    owner = signed_in_client(OWNER_MOBILE)
    assert _listed(owner) == {pk: True}
    page = owner.get(f"/my/notices/{pk}/")
    assert page.status_code == 200 and "电梯维保通知" in page.content.decode()
    assert _listed(owner) == {pk: False}  # read now
    assert _listed(signed_in_client(MEMBER_MOBILE)) == {pk: True}
    elsewhere = signed_in_client(SHANYU_MOBILE)
    assert _listed(elsewhere) == {}
    assert elsewhere.get(f"/my/notices/{pk}/").status_code == 404
    assert elsewhere.get("/my/notices/99999999999999999999/").status_code == 404


def test_reads_count_once_per_resident(people, cast):
    from webapp.community.models import NoticeRead

    steward = staff(cast, "steward")
    pk = new_notice_id(publish(steward, people["binhai"]))
    owner, member = signed_in_client(OWNER_MOBILE), signed_in_client(MEMBER_MOBILE)
    for client in (owner, owner, member, owner):
        assert client.get(f"/my/notices/{pk}/").status_code == 200
    assert NoticeRead.objects.filter(notice_id=pk).count() == 2
    page = steward.get(f"/community/notices/{pk}/").content.decode()
    assert re.search(r'id="read-count"><strong>[^<]*2[^<]*4', page), page
    listed = steward.get("/community/notices/").content.decode()
    assert re.search(rf'data-notice="{pk}".*?class="read-count">2 / 4<', listed, re.S)


def test_a_notice_for_some_buildings_reaches_only_their_residents(people, cast):
    pk = new_notice_id(publish(staff(cast, "steward"), people["binhai"], buildings=[people["b5"].pk]))
    assert _listed(signed_in_client(B5_MOBILE)) == {pk: True}
    owner = signed_in_client(OWNER_MOBILE)  # 3栋
    assert _listed(owner) == {} and owner.get(f"/my/notices/{pk}/").status_code == 404


def test_scheduled_ended_and_withdrawn_notices_are_not_shown(people, cast):
    steward = staff(cast, "steward")
    later = new_notice_id(publish(steward, people["binhai"], title="明日通知", publish_at="2026-11-28T08:00"))
    ending = new_notice_id(publish(steward, people["binhai"], title="今日截止", ends_on="2026-11-27"))
    owner = signed_in_client(OWNER_MOBILE)
    assert set(_listed(owner)) == {ending}
    assert owner.get(f"/my/notices/{later}/").status_code == 404
    clock.advance(dt.timedelta(days=1))  # 2026-11-28 09:00 in Shanghai
    assert set(_listed(owner)) == {later}
    assert owner.get(f"/my/notices/{ending}/").status_code == 404
    assert steward.post(f"/community/notices/{later}/withdraw/").status_code == 302
    assert _listed(owner) == {} and owner.get(f"/my/notices/{later}/").status_code == 404


def test_my_messages_show_my_sms_but_no_sign_in_code_and_nobody_elses(people):
    from engine.adapters import CallContext
    from engine.adapters.registry import get_adapter
    from engine.models import OutboxMessage

    owner = signed_in_client(OWNER_MOBILE)
    signed_in_client(MEMBER_MOBILE)
    adapter, operation = get_adapter("notify/send_sms")
    for n, mobile in enumerate((OWNER_MOBILE, MEMBER_MOBILE)):
        context = CallContext(
            idempotency_key=f"test-msg-{n}", company_id=people["binhai"].company_id, instance_id=None
        )
        params = {"customer_name": f"客户{n}", "ticket": f"TK-{mobile}"}
        adapter.call(
            operation.name, {"to": mobile, "template": "COMPLAINT_ACCEPTED", "params": params}, context
        )
    page = owner.get("/my/messages/")
    text = page.content.decode()
    assert page.status_code == 200
    assert f"TK-{OWNER_MOBILE}" in text and "短信" in text
    assert f"TK-{MEMBER_MOBILE}" not in text
    codes = OutboxMessage.objects.filter(template_id="OWNER_LOGIN_CODE", recipient=f"+86{OWNER_MOBILE}")
    assert codes.exists()
    assert "您的登录验证码为" not in text and all(m.params["code"] not in text for m in codes)
    assert len(re.findall(r'data-message="', text)) == 1


def test_the_pages_need_a_resident_session(people, cast):
    from django.test import Client

    pk = new_notice_id(publish(staff(cast, "steward"), people["binhai"]))
    for url in ("/my/notices/", f"/my/notices/{pk}/", "/my/messages/"):
        for client in (Client(), staff(cast, "steward")):
            response = client.get(url)
            assert (response.status_code, response["Location"]) == (302, "/my/login/")
