"""The gate (门岗): what the guard's page and the admit API answer for every kind of code, the
refusal recorded each time, the conditional count (never more entries than allowed, also with two
guards at once on PostgreSQL), who may use the gate and the approvals, and the audit."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from engine import clock
from engine.errors import NotAllowed
from engine.models import AuditEvent
from webapp.passes import actions, tokens
from webapp.passes.actions import HolderInput, do_admit, do_issue_pass
from webapp.passes.models import Pass, PassEntry
from webapp.passes.signals import entry_admitted
from webapp.realestate.models import Room

TODAY = dt.date(2026, 11, 27)  # the frozen engine clock's day in Shanghai


def issue(room: Any, *, first: dt.date = TODAY, last: dt.date = TODAY, entries: int | None = 2,
          kind: str = "visitor") -> Pass:  # fmt: skip
    holder = HolderInput("访客陈", "13900001111", first, last, entries)
    return do_issue_pass(kind=kind, project=room.project, holder=holder, room=room, notify=False)


def web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def gate(client: Client, code: str) -> tuple[str, str]:
    html = client.post("/passes/gate/", {"code": code}).content.decode()
    result = html.split('id="admit-result" data-result="')[1].split('"')[0]
    reason = html.split('data-reason="')[1].split('"')[0]
    return result, reason


def test_every_refusal_has_its_reason_and_is_recorded(cast, rooms, master):
    guard = web(cast["guard"])
    good = issue(rooms[0])
    token = tokens.token_for(good.code)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    forged = tokens.display_code(good.code)[:-1] + ("2" if not good.code.endswith("2") else "3")
    assert gate(guard, tampered) == ("refused", "invalid")
    assert gate(guard, f"{good.code}:{'x' * 27}") == ("refused", "invalid")  # a made-up signature
    assert gate(guard, forged) == ("refused", "invalid")
    assert gate(guard, "") == ("refused", "invalid")
    assert gate(guard, str(good.pk)) == ("refused", "invalid")  # the id is no code

    later = issue(rooms[1], first=TODAY + dt.timedelta(days=2), last=TODAY + dt.timedelta(days=3))
    assert gate(guard, later.code) == ("refused", "not_yet_valid")
    expired = issue(rooms[2])
    clock.advance(dt.timedelta(days=1))  # 2026-11-28: yesterday's pass has expired
    assert gate(guard, tokens.token_for(expired.code)) == ("refused", "expired")
    revoked = issue(rooms[3], first=TODAY + dt.timedelta(days=1), last=TODAY + dt.timedelta(days=1))
    actions.do_revoke_pass(revoked, reason="不来了", user=cast["steward"])
    assert gate(guard, tokens.token_for(revoked.code)) == ("refused", "revoked")
    pending = issue(rooms[4], first=TODAY + dt.timedelta(days=1), last=TODAY + dt.timedelta(days=5),
                    entries=None, kind="decoration")  # fmt: skip
    assert gate(guard, pending.code) == ("refused", "pending")

    sh_room = Room.objects.filter(company=master["sh"]).order_by("code").first()
    foreign = issue(sh_room, first=TODAY + dt.timedelta(days=1), last=TODAY + dt.timedelta(days=1))
    assert gate(guard, foreign.code) == ("refused", "other_company")
    assert foreign.entries.count() == 0  # recorded for sz's gate, not linked to sh's pass
    assert gate(guard, later.code) == ("refused", "not_yet_valid")

    entries = PassEntry.objects.filter(company=cast["guard"].company, result="refused")
    assert entries.count() == 11 and not PassEntry.objects.filter(result="admitted").exists()
    assert set(entries.values_list("recorded_by", flat=True)) == {cast["guard"].pk}
    assert Pass.objects.filter(entries_used__gt=0).count() == 0
    # each refusal is audited: on the pass when there is one, as an entry otherwise
    refused = AuditEvent.objects.filter(process_key="passes", details__change="entry_refused")
    assert refused.count() == 11 and set(refused.values_list("actor", flat=True)) == {cast["guard"].pk}
    assert refused.filter(element_id__startswith="entry:").count() == 6


def test_the_admit_api_answers_with_the_reason(cast, rooms):
    one = issue(rooms[0], entries=1)
    client = api(cast["guard"])
    first = client.post(
        "/api/passes/admit/", {"code": tokens.token_for(one.code), "gate": "北门"}, format="json"
    )
    assert first.status_code == 200
    assert first.json()["admitted"] is True and first.json()["pass"]["entries_left"] == 0
    second = client.post("/api/passes/admit/", {"code": one.code}, format="json").json()
    assert (second["admitted"], second["reason"], second["message"]) == (False, "used_up", "次数已用完")
    assert PassEntry.objects.get(result="admitted").gate == "北门"
    assert client.post("/api/passes/admit/", ["x"], format="json").status_code == 400


def test_only_the_gate_and_the_steward_open_their_pages(cast, rooms):
    one = issue(rooms[0])
    for username in ("agent", "cashier", "steward"):
        assert web(cast[username]).get("/passes/gate/").status_code == 403
        assert web(cast[username]).post("/passes/gate/", {"code": one.code}).status_code == 403
        assert (
            api(cast[username]).post("/api/passes/admit/", {"code": one.code}, format="json").status_code
            == 403
        )
    for username in ("agent", "guard", "cashier"):
        assert web(cast[username]).get("/passes/decorations/").status_code == 403
    assert web(cast["guard"]).get("/passes/gate/").status_code == 200
    assert web(cast["steward"]).get("/passes/decorations/").status_code == 200
    assert not PassEntry.objects.exists()
    with pytest.raises(NotAllowed):
        do_admit(one.code, cast["steward"])


def test_another_companys_steward_cannot_decide_and_a_visitor_pass_is_no_decoration(cast, rooms):
    decoration = issue(rooms[0], last=TODAY + dt.timedelta(days=10), entries=None, kind="decoration")
    visitor = issue(rooms[1])
    outsider = web(cast["outsider"])  # 物业 of sh: holds the approval right, not for sz's passes
    assert (
        outsider.post(f"/passes/decorations/{decoration.pk}/decide/", {"decision": "approve"}).status_code
        == 404
    )
    steward = web(cast["steward"])
    assert (
        steward.post(f"/passes/decorations/{visitor.pk}/decide/", {"decision": "approve"}).status_code == 404
    )
    assert (
        steward.post("/passes/decorations/99999999999999999999/decide/", {"decision": "approve"}).status_code
        == 404
    )
    decoration.refresh_from_db()
    assert decoration.status == "pending"


def test_the_holders_page_by_token_and_nothing_else(cast, rooms):
    one = issue(rooms[0])
    token = tokens.token_for(one.code)
    page = Client().get(f"/pass/{token}/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert Client().get(f"/pass/{token[:-1]}x/").status_code == 404
    assert Client().get(f"/pass/{one.code}/").status_code == 404  # the code alone opens no page
    actions.do_revoke_pass(one, user=cast["steward"])
    revoked = Client().get(f"/pass/{token}/").content.decode()
    assert "已撤销" in revoked and "<svg" not in revoked


def test_a_guard_who_read_a_stale_count_is_refused(cast, rooms, monkeypatch):
    """The count is a conditional update: when another guard took the last entry between this
    guard's read and update, the update counts nothing and the entry is refused (次数已用完)."""
    one = issue(rooms[0], entries=1)
    real_state_on = Pass.state_on

    def read_then_other_guard_enters(self: Pass, day: dt.date) -> Any:
        state = real_state_on(self, day)  # this guard's read: one entry left
        Pass.objects.filter(pk=self.pk).update(entries_used=1)  # the other guard's entry, committed
        monkeypatch.setattr(Pass, "state_on", real_state_on)
        return state

    monkeypatch.setattr(Pass, "state_on", read_then_other_guard_enters)
    result = do_admit(one.code, cast["guard"])
    assert (result.admitted, result.reason, result.message) == (False, "used_up", "次数已用完")
    one.refresh_from_db()
    assert one.entries_used == 1


def test_an_admitted_entry_is_signalled_after_the_commit(cast, rooms, django_capture_on_commit_callbacks):
    one = issue(rooms[0])
    seen: list[tuple[int, int]] = []

    def record(sender: Any, pass_: Pass, entry: PassEntry, **kwargs: Any) -> None:
        seen.append((pass_.pk, entry.pk))

    entry_admitted.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            result = do_admit(one.code, cast["guard"])
            assert not seen  # not before the commit
        do_admit("nonsense", cast["guard"])
    finally:
        entry_admitted.disconnect(record)
    assert seen == [(one.pk, result.entry.pk)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks: PostgreSQL")
def test_guards_scanning_at_once_never_admit_more_than_allowed(cast, rooms):
    one = issue(rooms[0], entries=2)
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def scan() -> None:
        barrier.wait()
        try:
            results.append(do_admit(one.code, cast["guard"]).admitted)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, True, True]
    one.refresh_from_db()
    assert one.entries_used == 2
    assert list(
        PassEntry.objects.filter(gate_pass=one, result="refused").values_list("reason", flat=True)
    ) == ["used_up", "used_up"]
