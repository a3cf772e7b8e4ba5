"""Roles and people: the group's administrator defines what a role may do and which flows it may
start; the company's administrator (陈总) gives the company's people roles and work groups, but
not group-level rights; every change is audited; others get a 403, another company's people a 404."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.test import Client

from engine.models import AuditEvent, FlowStartRule
from webapp.accounts.models import User, WorkGroup


def web(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def admin() -> User:
    return User.objects.get(username="admin")


def test_the_group_administrator_defines_a_role_and_the_flows_it_may_start(cast):
    FlowStartRule.objects.create(process_key="sales", work_groups=["销售部"])
    client = web(admin())
    assert "客服主管" in client.get("/settings/roles/").content.decode()
    bad = client.post("/settings/roles/new/", {"name": "", "permissions": ["engine.nonsense"]})
    assert bad.status_code == 400 and 'id="form-errors"' in bad.content.decode()
    made = client.post("/settings/roles/new/", {"name": "按揭主管", "permissions": ["engine.review_audit",
                                                                                    "engine.view_all_instances"], "flows": ["sales"]})  # fmt: skip
    assert made.status_code == 302
    role = Group.objects.get(name="按揭主管")
    assert {p.codename for p in role.permissions.all()} == {"review_audit", "view_all_instances"}
    assert role in FlowStartRule.objects.get(process_key="sales").roles.all()
    event = AuditEvent.objects.get(action="permissions")
    assert event.actor_name == "系统管理员" and event.details["role"] == "按揭主管"
    assert web(cast["head"]).get("/settings/roles/").status_code == 403  # a company administrator does not


def test_the_company_administrator_assigns_roles_and_work_groups(cast):
    head, agent = cast["head"], cast["agent"]
    client = web(head)
    page = client.get("/settings/people/").content.decode()
    assert f'data-person="{agent.pk}"' in page and f'data-person="{cast["outsider"].pk}"' not in page
    cs_heads = Group.objects.get(name="客服主管")
    service = WorkGroup.objects.get(company=head.company, name="客服中心")
    engineering = WorkGroup.objects.get(company=head.company, name="工程部")
    saved = client.post(f"/settings/people/{agent.pk}/", {"roles": [cs_heads.pk], "work_groups": [service.pk, engineering.pk],
                                                          "active": "on"})  # fmt: skip
    assert saved.status_code == 302
    agent.refresh_from_db()
    assert agent.has_perm("engine.view_all_instances") and set(agent.group_names()) == {"客服中心", "工程部"}
    event = AuditEvent.objects.get(action="permissions", details__username="agent")
    assert event.details["before"]["roles"] == ["员工", "客服"]
    assert event.details["after"]["roles"] == ["客服主管"]
    assert client.get(f"/settings/people/{cast['outsider'].pk}/").status_code == 404
    assert web(agent).get("/settings/people/").status_code == 403


def test_a_company_administrator_cannot_hand_out_group_level_rights(cast):
    top = Group.objects.create(name="集团管理员")
    from django.contrib.auth.models import Permission

    top.permissions.add(Permission.objects.get(codename="manage_roles"))
    refused = web(cast["head"]).post(
        f"/settings/people/{cast['agent'].pk}/", {"roles": [top.pk], "active": "on"}
    )
    assert refused.status_code == 400 and "集团管理员" in refused.content.decode()
    assert not cast["agent"].groups.filter(pk=top.pk).exists()
    switched_off = web(cast["head"]).post(
        f"/settings/people/{cast['head'].pk}/", {"roles": [], "work_groups": []}
    )
    assert switched_off.status_code == 400  # not themselves
