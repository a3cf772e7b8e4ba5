"""The passes demo (anju_setup): a visitor pass admitted once and a decoration request waiting
for the steward, made once however often it runs."""

from __future__ import annotations

from webapp.passes.demo import load_demo_passes
from webapp.passes.models import Pass, PassEntry
from webapp.residents.demo import ensure_demo_residents


def test_the_demo_passes_are_made_once(cast, master):
    ensure_demo_residents(master["sz"])
    assert load_demo_passes(cast) == 2
    assert load_demo_passes(cast) == 0
    visitor, decoration = Pass.objects.order_by("pk")
    assert (visitor.kind, visitor.status, visitor.entries_used, visitor.max_entries) == (
        "visitor",
        "active",
        1,
        2,
    )
    assert (decoration.kind, decoration.status, decoration.max_entries) == ("decoration", "pending", None)
    assert visitor.issued_by_customer.name == "陈志强" and visitor.room == decoration.room
    assert PassEntry.objects.get().recorded_by == cast["guard"]
