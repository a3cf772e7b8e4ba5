"""The tamper-evident audit trail: each company's events are sealed into a hash chain a little after
they happen; `audit_verify` finds the first altered or removed event. On PostgreSQL the database
itself refuses to change or delete an audit row."""

from __future__ import annotations

import itertools
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from engine import clock
from engine.auditchain import SEAL_LAG, seal_pending, verify, verify_all
from engine.models import AuditChain, AuditEvent
from tests.complaint_data import INTAKE, TRIAGE
from tests.helpers import complete, only_task, start

PG = connection.vendor == "postgresql"


@pytest.fixture
def trail(api, flow):  # type: ignore[no-untyped-def]
    """Two complaints of the 深圳 company and one of the 上海 company, their events sealed."""
    flow("complaint")
    ids = [start(api("agent"), "complaint", INTAKE)["id"] for _ in range(2)]
    start(api("outsider"), "complaint", {**INTAKE, "project": "安居·江湾府"})  # a project of its own company
    complete(api("agent"), only_task(api("agent"), ids[0])["id"], TRIAGE)
    assert seal_pending() == 0  # nothing is sealed before the lag has passed
    clock.advance(SEAL_LAG + timedelta(seconds=1))
    assert seal_pending() == AuditEvent.objects.count()
    return ids


def company_chain(cast, username: str) -> int:  # type: ignore[no-untyped-def]
    return cast[username].company_id


def test_every_event_is_sealed_into_its_companys_chain(trail, cast):
    sz = company_chain(cast, "agent")
    events = list(AuditEvent.objects.filter(company_id=sz).order_by("id"))
    assert events[0].chain_prev == "0" * 64 and all(e.chain_hash for e in events)
    assert all(b.chain_prev == a.chain_hash for a, b in itertools.pairwise(events))
    assert AuditChain.objects.get(chain=sz).last_hash == events[-1].chain_hash
    assert all(v.intact for v in verify_all())
    assert seal_pending() == 0  # sealed once


def test_new_events_extend_the_chain(trail, api, cast):
    start(api("agent"), "complaint", INTAKE)
    clock.advance(SEAL_LAG + timedelta(seconds=1))
    assert seal_pending() >= 1
    verdict = verify(company_chain(cast, "agent"))
    assert (
        verdict.intact
        and verdict.sealed == AuditEvent.objects.filter(company_id=company_chain(cast, "agent")).count()
    )


def tamper(statement: str, params: list) -> None:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        if PG:
            # The test's transaction has deferred foreign-key checks pending, and ALTER TABLE refuses
            # to run while it has: check them now, as a commit would.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE engine_auditevent DISABLE TRIGGER engine_audit_append_only")
        try:
            cursor.execute(statement, params)
        finally:
            if PG:
                cursor.execute("ALTER TABLE engine_auditevent ENABLE TRIGGER engine_audit_append_only")


def test_an_altered_event_is_found_by_verify(trail, cast):
    sz = company_chain(cast, "agent")
    victim = AuditEvent.objects.filter(company_id=sz, action="complete").get()
    tamper("UPDATE engine_auditevent SET actor_name = %s WHERE id = %s", ["别人", victim.pk])
    verdict = verify(sz)
    assert not verdict.intact and verdict.broken_event_id == victim.pk and "altered" in verdict.problem
    assert verify(company_chain(cast, "outsider")).intact  # another company's chain is its own
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", stdout=out)
    assert f"BROKEN at event {victim.pk}" in out.getvalue()


def test_a_removed_event_is_found_by_verify(trail, cast):
    sz = company_chain(cast, "agent")
    events = list(AuditEvent.objects.filter(company_id=sz).order_by("id"))
    tamper("DELETE FROM engine_auditevent WHERE id = %s", [events[2].pk])
    verdict = verify(sz)
    assert not verdict.intact and verdict.broken_event_id == events[3].pk and "removed" in verdict.problem
    tamper("DELETE FROM engine_auditevent WHERE id = %s", [events[-1].pk])
    tail = AuditEvent.objects.filter(company_id=sz).order_by("id")
    assert verify(sz).broken_event_id == events[3].pk  # still the first broken link
    assert tail.count() == len(events) - 2


@pytest.mark.skipif(not PG, reason="the database's own trigger is PostgreSQL's")
def test_postgresql_refuses_to_change_or_delete_an_audit_row(trail):
    event = AuditEvent.objects.order_by("id").first()
    for statement in (
        "UPDATE engine_auditevent SET actor_name = 'x' WHERE id = %s",
        "UPDATE engine_auditevent SET chain_hash = 'x' WHERE id = %s",
        "DELETE FROM engine_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="审计记录只能追加"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).actor_name == event.actor_name


@pytest.mark.skipif(not PG, reason="the database's own trigger is PostgreSQL's")
def test_postgresql_refuses_changing_an_unsealed_event_except_sealing_it(api, flow):
    flow("complaint")
    start(api("agent"), "complaint", INTAKE)
    event = AuditEvent.objects.order_by("id").first()
    assert event.chain_hash == ""
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE engine_auditevent SET details = '{}' WHERE id = %s", [event.pk])
    clock.advance(SEAL_LAG + timedelta(seconds=1))
    assert seal_pending() >= 1  # the sealer's own write is allowed
