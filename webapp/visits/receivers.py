"""The gate's side of 云通行: when the gate admits a 看房通行证 (passes.signals.entry_admitted, sent
after the gate's commit), the visit is recorded (webapp.visits.actions.admitted_at_gate)."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from webapp.passes.models import Pass, PassKind
from webapp.passes.signals import entry_admitted

logger = logging.getLogger(__name__)


@receiver(entry_admitted, dispatch_uid="visits.entry_admitted")
def visit_admitted(sender: Any, pass_: Pass, entry: Any, **kwargs: Any) -> None:
    if pass_ is None or pass_.kind != PassKind.SALES_VISIT or pass_.customer_id is None:
        return
    from .actions import admitted_at_gate

    try:
        admitted_at_gate(pass_, getattr(entry, "recorded_by", None))
    except Exception:  # the entry is committed: the gate's answer stands; the visit can be recorded by hand
        logger.exception("visit of pass %s not recorded", pass_.pk)
