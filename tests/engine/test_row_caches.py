"""Per-process copies of SLA policies and latest versions (engine/stamped_cache.py): a change is
seen at once by this process and by every other one sharing the cache; a rolled-back change never."""

import pytest
from django.db import transaction

from engine.deploy import do_deploy_flow, read_flow_folder
from engine.models import SlaPolicy
from engine.row_caches import LATEST_VERSIONS, POLICIES, _active_policies
from engine.stamped_cache import StampedCache
from tests.conftest import FLOWS
from tests.helpers import start


def _names(policies: tuple[SlaPolicy, ...]) -> set[str]:
    return {p.name for p in policies}


@pytest.fixture
def company(cast) -> int:  # type: ignore[no-untyped-def]
    company_id = cast["agent"].company_id
    for order, name in enumerate(("核对时限", "回访时限")):
        SlaPolicy.objects.create(
            company_id=company_id, order=order, name=name, process_key="service", resolution_target="1d"
        )
    return company_id


def test_a_policy_saved_or_deleted_is_seen_by_the_next_read(company):
    assert _names(POLICIES.get(company)) == {"核对时限", "回访时限"}
    policy = SlaPolicy.objects.filter(company_id=company, active=True).first()
    policy.name = "改名的策略"
    policy.save()
    assert "改名的策略" in _names(POLICIES.get(company))
    policy.delete()
    assert "改名的策略" not in _names(POLICIES.get(company))


def test_another_process_reloads_after_a_change(company):
    other = StampedCache("sla-policies", _active_policies)  # the same stamp, its own copies
    seen = other.get(company)
    assert other.get(company) is seen
    SlaPolicy.objects.filter(company_id=company, active=True).update(active=False)
    assert other.get(company) is seen  # a bulk update sends no signal: forget says it
    POLICIES.forget(company)
    assert other.get(company) == ()


def test_a_rolled_back_change_is_not_kept(company):
    count = len(POLICIES.get(company))
    assert count == 2

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            SlaPolicy.objects.filter(company_id=company).first().delete()
            assert len(POLICIES.get(company)) == count - 1  # this transaction sees its change
            raise Undo
    except Undo:
        pass
    assert len(POLICIES.get(company)) == count


def test_a_new_version_is_started_at_once(api, flow, cast):
    first = flow("service")
    assert LATEST_VERSIONS.get("service").pk == first.pk
    files = read_flow_folder(FLOWS / "service")
    files["service.bpmn"] = files["service.bpmn"].replace("核对赔付".encode(), "核对赔付金额".encode())
    second, created = do_deploy_flow(files, user=cast["analyst"])
    assert created and LATEST_VERSIONS.get("service").pk == second.pk != first.pk
    started = start(api("agent"), "service", {"customer_name": "李四", "customer_mobile": "13900139000"})
    assert started["version_id"] == second.pk
