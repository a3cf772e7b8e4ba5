"""The tamper-evident audit trail: one SHA-256 hash chain per company.

Events are written by engine steps as before (one insert per step, no lock shared between steps).
The sealer (`seal_pending`, run with the sweep) takes each company's events older than SEAL_LAG in
id order and writes, once, `chain_prev` (the hash of the company's previous event) and
`chain_hash` = SHA-256(chain_prev + the event's canonical content). The lag keeps the order
certain: a step's transaction is long committed when its events are sealed.

`verify` walks a chain from the start: an event whose content no longer matches its hash was
altered; an event whose chain_prev is not the hash of the event before it follows a removed or
altered one; a head that is not the last event's hash means the newest events were removed. It
reports the first broken link. On PostgreSQL the database refuses UPDATE (except the sealer's one
write of the chain columns) and DELETE on the table itself (migration 0008).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from . import clock, directory
from .models import AuditChain, AuditEvent

SEAL_LAG = timedelta(minutes=2)
GENESIS = "0" * 64
BATCH = 2000
FIELDS = ("id", "at", "company_id", "actor_id", "actor_name", "action", "instance_id", "task_id", "process_key",
          "element_id", "details")  # fmt: skip


def canonical(row: dict[str, Any]) -> bytes:
    """What the hash covers: every column of the event but the chain's own, as sorted JSON."""
    values = {name: row[name] for name in FIELDS}
    at = values["at"]
    values["at"] = at.isoformat() if isinstance(at, datetime) else str(at)
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode(
        "utf-8"
    )


def link(prev: str, row: dict[str, Any]) -> str:
    return hashlib.sha256(prev.encode("ascii") + canonical(row)).hexdigest()


def _events(chain: int) -> Any:
    rows = AuditEvent.objects.all()
    return rows.filter(company__isnull=True) if chain == 0 else rows.filter(company_id=chain)


def seal_pending(now: datetime | None = None, limit: int = BATCH) -> int:
    """Seal events older than SEAL_LAG, chain by chain (SKIP LOCKED: two workers never seal one
    chain at once). Returns how many were sealed."""
    cutoff = (now or clock.now()) - SEAL_LAG
    pending = AuditEvent.objects.filter(chain_hash="", at__lt=cutoff)
    chains = {c or 0 for c in pending.values_list("company_id", flat=True).distinct()}
    sealed = 0
    for chain in sorted(chains):
        sealed += _seal_chain(chain, cutoff, limit)
    return sealed


def _seal_chain(chain: int, cutoff: datetime, limit: int) -> int:
    with transaction.atomic():
        AuditChain.objects.get_or_create(
            chain=chain, defaults={"last_hash": GENESIS, "updated_at": clock.now()}
        )
        head = AuditChain.objects.select_for_update(skip_locked=True).filter(chain=chain).first()
        if head is None:
            return 0
        rows = list(
            _events(chain).filter(chain_hash="", id__gt=head.last_event_id, at__lt=cutoff)
            .order_by("id").values(*FIELDS)[:limit]
        )  # fmt: skip
        prev = head.last_hash
        for row in rows:
            digest = link(prev, row)
            AuditEvent.objects.filter(pk=row["id"], chain_hash="").update(chain_prev=prev, chain_hash=digest)
            prev = digest
        if rows:
            AuditChain.objects.filter(pk=head.pk).update(
                last_event_id=rows[-1]["id"], last_hash=prev, sealed_count=head.sealed_count + len(rows),
                updated_at=clock.now(),
            )  # fmt: skip
        return len(rows)


@dataclass
class Verdict:
    chain: int
    sealed: int  # events checked
    unsealed: int  # events not sealed yet (newer than the lag)
    intact: bool
    broken_event_id: int | None = None
    broken_at: str = ""
    problem: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify(chain: int) -> Verdict:
    """Walk one company's chain (0: events of no company); the first broken link, if any."""
    head = AuditChain.objects.filter(chain=chain).first()
    prev, count = GENESIS, 0
    events = _events(chain).exclude(chain_hash="").order_by("id").values(*FIELDS, "chain_prev", "chain_hash")
    for row in events.iterator(chunk_size=2000):
        if row["chain_prev"] != prev:
            return _broken(chain, count, row, "the event before this one was removed or altered")
        if link(prev, row) != row["chain_hash"]:
            return _broken(chain, count, row, "this event was altered after it was sealed")
        prev = row["chain_hash"]
        count += 1
    unsealed = _events(chain).filter(chain_hash="").count()
    if head is not None and head.last_hash != prev:
        return Verdict(chain, count, unsealed, False, problem="the newest sealed events were removed")
    return Verdict(chain, count, unsealed, True)


def _broken(chain: int, count: int, row: dict[str, Any], problem: str) -> Verdict:
    unsealed = _events(chain).filter(chain_hash="").count()
    at = row["at"].isoformat() if isinstance(row["at"], datetime) else str(row["at"])
    return Verdict(chain, count, unsealed, False, broken_event_id=row["id"], broken_at=at, problem=problem)


def verify_all() -> list[Verdict]:
    chains = sorted({0, *directory.get().company_ids()})
    return [verify(chain) for chain in chains]
