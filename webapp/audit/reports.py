"""The seed's compliance checks as reports for auditors (审计/满意度专员):

- 认购录入: subscriptions entered on the day of subscription (site rule) and within 3 days (group
  audit), from the sales ledger;
- 回访及时: callbacks (the complaint flow's, the sales flow's after contract, move-in's after
  delivery) done by their due time, done late, overdue and still open;
- 未回访结案: complaints (issue type 投诉) that ended without a completed callback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from engine.models import AuditEvent, ProcessInstance, Task
from engine.models.runtime import InstanceStatus, TaskState
from webapp.common import display

CALLBACKS = {
    "complaint": ["Task_Callback"],
    "sales": ["Task_Callback"],
    "movein_room": ["Task_Callback1M", "Task_Callback3M", "Task_Callback1Y"],
}


@dataclass
class Period:
    start: date
    end: date  # inclusive

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_default_timezone()
        return datetime.combine(self.start, time.min, zone), datetime.combine(
            self.end + timedelta(days=1), time.min, zone
        )


def entry_timeliness(company_id: int, period: Period) -> dict[str, Any]:
    from webapp.sales.models import GROUP_MAX_DELAY_DAYS, SITE_MAX_DELAY_DAYS, Subscription

    rows = Subscription.objects.filter(
        company_id=company_id, agreement_date__gte=period.start, agreement_date__lte=period.end
    )
    counts = rows.aggregate(
        total=Count("id"), same_day=Count("id", filter=Q(entry_delay_days__lte=SITE_MAX_DELAY_DAYS)),
        within_group=Count("id", filter=Q(entry_delay_days__lte=GROUP_MAX_DELAY_DAYS)),
    )  # fmt: skip
    late = rows.filter(entry_delay_days__gt=GROUP_MAX_DELAY_DAYS).select_related(
        "customer", "salesperson", "room"
    )
    return {**counts, "late": list(late.order_by("-entry_delay_days", "agreement_no")[:200])}


def callbacks_on_time(company_id: int, period: Period, now: datetime) -> list[dict[str, Any]]:
    """Per flow: callbacks created in the period, done on time, done late, open and overdue, open."""
    start, end = period.bounds()
    out = []
    names = display.flow_names(CALLBACKS)
    for process_key, elements in CALLBACKS.items():
        tasks = Task.objects.filter(company_id=company_id, process_key=process_key, element_id__in=elements,
                                    created_at__gte=start, created_at__lt=end)  # fmt: skip
        counts = tasks.aggregate(
            total=Count("id"),
            on_time=Count("id", filter=Q(state=TaskState.COMPLETED) & (Q(due_at__isnull=True) | Q(completed_at__lte=F("due_at")))),
            late=Count("id", filter=Q(state=TaskState.COMPLETED, completed_at__gt=F("due_at"))),
            overdue=Count("id", filter=Q(state=TaskState.READY, due_at__lt=now)),
            open=Count("id", filter=Q(state=TaskState.READY) & (Q(due_at__isnull=True) | Q(due_at__gte=now))),
        )  # fmt: skip
        overdue = (
            tasks.filter(state=TaskState.READY, due_at__lt=now)
            .select_related("instance")
            .order_by("due_at")[:100]
        )
        out.append({"process": process_key, "name": names.get(process_key, process_key), **counts,
                    "overdue_tasks": list(overdue)})  # fmt: skip
    return out


def closed_without_callback(company_id: int, period: Period) -> list[ProcessInstance]:
    """Complaints (issue type 投诉, not consultations answered on the spot) that ended in the period
    without a completed callback."""
    start, end = period.bounds()
    complaint_start = AuditEvent.objects.filter(
        instance=OuterRef("pk"), action="start", details__data__issue_type="complaint"
    )
    called_back = Task.objects.filter(
        instance=OuterRef("pk"), element_id="Task_Callback", state=TaskState.COMPLETED
    )
    rows = (
        ProcessInstance.objects.filter(company_id=company_id, process_key="complaint", ended_at__gte=start, ended_at__lt=end,
                                       status__in=[InstanceStatus.COMPLETED, InstanceStatus.CANCELLED])
        .filter(Exists(complaint_start)).exclude(Exists(called_back)).defer("state").order_by("-ended_at")
    )  # fmt: skip
    return list(rows[:500])
