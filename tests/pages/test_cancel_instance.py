"""撤销案件: a case recorded by mistake is cancelled from its page (or the API) by a holder of
engine.cancel_instance (客服主管), with a reason; audited; its open work is cancelled."""

from __future__ import annotations

from datetime import timedelta

from engine import clock
from engine.models import AuditEvent, ProcessInstance, ServiceCall, Task, Timer
from engine.tasks import sweep
from tests.complaint_data import TRIAGE
from tests.engine.test_services import flaky  # noqa: F401 (the fixture)
from tests.helpers import complete, only_task, start, tasks

from .conftest import INTAKE_DATA


def test_the_supervisor_cancels_a_mistaken_case_from_its_page(api, web, cast, complaint):
    instance = complaint()
    agent = api("agent")
    complete(agent, only_task(agent, instance.pk)["id"], TRIAGE)  # now at 工程部处理, with its timer
    assert Timer.objects.filter(instance=instance, state="pending").exists()
    assert [t for t in tasks(api("engineer"), claimable=1) if t["instance"]["id"] == instance.pk]
    page = web("cs_head").get(f"/instances/{instance.pk}/").content.decode()
    assert 'id="instance-cancel"' in page
    assert f'action="/instances/{instance.pk}/cancel/"' in page

    head = web("cs_head")
    response = head.post(f"/instances/{instance.pk}/cancel/", {"reason": "客户重复来电，已并入另一案件"})
    assert response.status_code == 302
    assert response["Location"] == f"/instances/{instance.pk}/"
    html = head.get(response["Location"]).content.decode()
    assert f"案件 {instance.business_key} 已撤销。" in html
    assert 'id="instance-status">已取消<' in html
    assert 'id="instance-cancel"' not in html  # nothing left to cancel
    instance.refresh_from_db()
    assert instance.status == "cancelled" and instance.ended_at is not None
    event = AuditEvent.objects.get(instance=instance, action="cancel")
    assert event.actor_id == cast["cs_head"].pk
    assert event.details["reason"] == "客户重复来电，已并入另一案件"
    assert not Task.objects.filter(instance=instance, state="ready").exists()
    assert not [t for t in tasks(api("engineer"), claimable=1) if t["instance"]["id"] == instance.pk]
    assert not Timer.objects.filter(instance=instance, state="pending").exists()
    clock.advance(timedelta(days=10))
    assert sweep()["timers"] == 0  # the overdue reminder never fires


def test_a_reason_is_required(api, web, complaint):
    instance = complaint()
    head = web("cs_head")
    response = head.post(f"/instances/{instance.pk}/cancel/", {"reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="cancel-reason-error"' in html
    assert '<details class="mb-3" id="instance-cancel" open>' in html
    api_response = api("cs_head").post(f"/api/process-instances/{instance.pk}/cancel/", {}, format="json")
    assert api_response.status_code == 400
    assert "reason" in api_response.json()
    instance.refresh_from_db()
    assert instance.status == "running"
    assert not AuditEvent.objects.filter(instance=instance, action="cancel").exists()


def test_others_may_not_cancel(api, web, complaint):
    instance = complaint()
    for who in ("agent", "head", "auditor"):  # they see the case, and may not cancel it
        assert 'id="instance-cancel"' not in web(who).get(f"/instances/{instance.pk}/").content.decode()
        assert web(who).post(f"/instances/{instance.pk}/cancel/", {"reason": "不想处理"}).status_code == 403
        response = api(who).post(
            f"/api/process-instances/{instance.pk}/cancel/", {"reason": "x"}, format="json"
        )
        assert response.status_code == 403
    # another company's supervisor does not even see it
    assert web("outsider").post(f"/instances/{instance.pk}/cancel/", {"reason": "x"}).status_code == 404
    instance.refresh_from_db()
    assert instance.status == "running"


def test_cancelling_through_the_api_cancels_pending_service_calls(api, flow, flaky):  # noqa: F811
    flow("flaky")
    started = start(api("agent"), "flaky", {"fail_times": 3})
    call = ServiceCall.objects.get(instance_id=started["id"])
    assert call.state == "pending"  # waiting for its retry
    response = api("cs_head").post(
        f"/api/process-instances/{started['id']}/cancel/", {"reason": "测试数据"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    call.refresh_from_db()
    assert call.state == "cancelled"
    clock.advance(timedelta(minutes=5))
    assert sweep()["calls"] == 0
    again = api("cs_head").post(
        f"/api/process-instances/{started['id']}/cancel/", {"reason": "再撤销"}, format="json"
    )
    assert again.status_code == 409


def test_the_right_is_offered_on_the_roles_page_and_held_by_the_supervisor(cast):
    from webapp.accounts.roles import PERMISSIONS

    assert "engine.cancel_instance" in {grant.code for grant in PERMISSIONS}
    assert cast["cs_head"].has_perm("engine.cancel_instance")
    assert not cast["agent"].has_perm("engine.cancel_instance")
    assert "cancel_instance" in dict(ProcessInstance._meta.permissions)


def test_a_cancelled_instance_keeps_its_data(api, complaint):
    instance = complaint(customer_name="误登记")
    assert (
        api("cs_head")
        .post(f"/api/process-instances/{instance.pk}/cancel/", {"reason": "误登记"}, format="json")
        .status_code
        == 200
    )
    detail = api("cs_head").get(f"/api/process-instances/{instance.pk}/").json()
    assert detail["data"]["customer_name"] == "误登记"
    assert detail["data"]["description"] == INTAKE_DATA["description"]
