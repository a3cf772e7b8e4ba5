"""The engine's actor when a resident reports a repair, sends a complaint or evaluates a repair.

Built on the company's owner-channel account (actor.py, 业主端: no sign-in, no stored right). The
account is handed to the engine as an in-memory copy that

- is named for the resident: the audit trail (`AuditEvent.actor_name`) and the repair timeline read
  "周业主（业主端）", so the resident is the recorded actor while the rows point at a real user of the
  company (`started_by`, `completed_by`, `Repair.reported_by`);
- may see rooms and customers for this one step, so that the flows' own intake forms accept the
  room and the customer row the resident's form names (their `x-lookup` pickers check
  `realestate.view_room` / `view_customer`). The rights live only on this copy (Django's
  permission cache of the object), never in the database; the room and customer were already
  checked to be the resident's own (access.access_room).
"""

from __future__ import annotations

from typing import Any

from webapp.common import rights

from .actor import acting_as, channel_user

STEP_RIGHTS = frozenset({rights.VIEW_ROOMS, rights.VIEW_CUSTOMERS})


def acting_for(customer: Any) -> Any:
    """The channel account of the customer's company, as the customer, for one engine step."""
    actor = acting_as(customer.company_id, customer.name)
    # ModelBackend answers has_perm from this cache when present (and only for an active user).
    actor._perm_cache = set(STEP_RIGHTS)
    return actor


def is_channel_account(user_id: int | None, company_id: int) -> bool:
    return bool(user_id) and user_id == channel_user(company_id).pk
