"""Permission sets and work groups kept per process between requests (webapp/accounts/backends.py):
a right taken away stops working on the next request, here and in every other process."""

from engine.stamped_cache import StampedCache
from webapp.accounts.backends import EVERYONE, GROUP_NAMES, PERMISSIONS, _group_names, _permissions
from webapp.accounts.models import User


def test_a_role_taken_away_stops_working_on_the_next_request(api, cast):
    cs_head = api("cs_head")
    assert cs_head.get("/api/sla/summary/").status_code == 200
    cast["cs_head"].groups.clear()
    assert cs_head.get("/api/sla/summary/").status_code == 403
    person = User.objects.get(pk=cast["cs_head"].pk)  # as the next request reads them
    assert not person.get_all_permissions()


def test_another_process_reads_rights_and_work_groups_afresh_after_a_change(cast):
    person = cast["agent"]
    other_rights = StampedCache("permissions", _permissions, stamp_key=EVERYONE)  # another process
    other_groups = StampedCache("work-groups", _group_names, stamp_key=EVERYONE)
    rights, groups = other_rights.get(person.pk), other_groups.get(person.pk)
    assert rights and groups
    assert other_rights.get(person.pk) is rights and other_groups.get(person.pk) is groups  # kept
    person.groups.clear()
    person.work_groups.clear()
    assert other_rights.get(person.pk) == frozenset() and other_groups.get(person.pk) == ()
    assert PERMISSIONS.get(person.pk) == frozenset() and GROUP_NAMES.get(person.pk) == ()


def test_a_deactivated_person_has_no_rights(api, cast):
    agent = api("agent")
    person = cast["agent"]
    person.is_active = False
    person.save()
    assert agent.get("/api/tasks/").status_code in (401, 403)
