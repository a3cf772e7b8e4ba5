"""The audit trail is append-only; the admin shows the outbox and the engine's records."""

import pytest

from engine.models import AuditEvent, OutboxMessage
from engine.models.audit import AppendOnlyError
from tests.helpers import start

SERVICE = {"customer_name": "李四", "customer_mobile": "13900139000"}


def test_audit_events_cannot_be_changed_or_deleted(api, flow):
    flow("service")
    start(api("agent"), "service", SERVICE)
    event = AuditEvent.objects.filter(action="start").get()
    event.actor_name = "someone else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "李娜"


def test_the_start_event_records_who_when_and_the_data(api, flow):
    flow("service")
    started = start(api("agent"), "service", SERVICE)
    event = AuditEvent.objects.get(instance_id=started["id"], action="start")
    assert event.actor.username == "agent" and event.company.code == "sz"
    assert event.details["data"] == SERVICE and event.details["version"] == 1


def test_the_admin_lists_the_outbox_and_the_audit_read_only(client, cast, api, flow):
    flow("service")
    start(api("agent"), "service", SERVICE)
    client.force_login(_admin())
    message = OutboxMessage.objects.get()
    assert client.get("/admin/engine/outboxmessage/").status_code == 200
    assert "+8613900139000" in client.get("/admin/engine/outboxmessage/").content.decode()
    assert client.get(f"/admin/engine/outboxmessage/{message.pk}/change/").status_code == 200
    assert client.get("/admin/engine/auditevent/").status_code == 200
    assert client.get("/admin/engine/outboxmessage/add/").status_code == 403


def _admin():  # type: ignore[no-untyped-def]
    from webapp.accounts.models import User

    return User.objects.get(username="admin")
