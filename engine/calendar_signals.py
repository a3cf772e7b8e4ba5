"""Any change to a company's working calendar (a year entered, a holiday or make-up day added,
changed or removed, from the admin, a page, an import or seed_from_package) recomputes the open
tasks whose deadlines were provisional for want of a year (engine.sla.replan_missing).

It runs after the change commits, so the whole edit (a year and its holidays, saved one row after
another by the admin) is seen at once; replanning is idempotent, and with nothing provisional it is
one query.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save


def _replan_after_commit(company_id: int) -> None:
    def replan() -> None:
        from .calendar import forget
        from .sla import replan_missing

        forget(company_id)
        replan_missing(company_id)

    transaction.on_commit(replan)


def _year_or_day_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from .models import BusinessCalendar

    company_id = (
        BusinessCalendar.objects.filter(pk=instance.calendar_id).values_list("company_id", flat=True).first()
    )
    if company_id is not None:
        _replan_after_commit(company_id)


def connect() -> None:
    """Called from EngineConfig.ready."""
    from .models import CalendarDay, CalendarYear

    for model in (CalendarYear, CalendarDay):
        post_save.connect(_year_or_day_changed, sender=model, dispatch_uid=f"replan-{model.__name__}-save")
        post_delete.connect(
            _year_or_day_changed, sender=model, dispatch_uid=f"replan-{model.__name__}-delete"
        )
