"""`anju_setup` (what `make run` calls) deploys the flows and loads the demo: once, whatever the
number of runs. These run without the demo's weeks of history (--no-history), which
tests/test_demo_history.py loads once."""

from io import StringIO

from django.core.management import call_command

from engine.models import BusinessCalendar, Incident, ProcessInstance, ProcessVersion, SlaPolicy, Task
from webapp.demo_data import ISSUES
from webapp.movein.models import HandoverBatch
from webapp.realestate.models import Room, RoomStatus


def test_setup_loads_the_demo_once(transactional_db):
    out = StringIO()
    call_command("anju_setup", "--no-history", stdout=out)
    assert "agent" in out.getvalue() and "anju2026" in out.getvalue()
    assert "/my/" in out.getvalue() and "13800138000" in out.getvalue()  # the owner channel's demo residents
    assert set(ProcessVersion.objects.values_list("key", flat=True)) == {
        "complaint", "sales", "sales_change", "movein_batch", "movein_room", "movein_defect", "repair",
        "parking_booking", "dunning", "late_fee_waiver", "owner_verification",
    }  # fmt: skip
    counts = (ProcessInstance.objects.count(), Task.objects.count(), Room.objects.count())
    call_command("anju_setup", "--no-history", stdout=StringIO())
    assert (ProcessInstance.objects.count(), Task.objects.count(), Room.objects.count()) == counts
    assert not Incident.objects.exists()
    statuses = set(Room.objects.exclude(status=RoomStatus.AVAILABLE).values_list("status", flat=True))
    assert statuses == {RoomStatus.SUBSCRIBED, RoomStatus.CONTRACTED}
    # the move-in demo: a prepared batch of three rooms in mock inspection, one defect waiting for dispatch
    batch = HandoverBatch.objects.get()
    assert batch.status == "in_progress" and batch.rooms.filter(stage="mock").count() == 3
    assert Task.objects.filter(state="ready", element_id="Task_MockInspection").count() == 3
    assert (
        Task.objects.filter(state="ready", process_key="movein_defect", element_id="Task_Dispatch").count()
        == 1
    )
    assert Task.objects.filter(state="ready", process_key="sales").count() == 3
    # the repair demo: one repair in each status a person sees (webapp/repairs/demo.py)
    from webapp.repairs.models import Repair, Status

    assert sorted(Repair.objects.values_list("status", flat=True)) == sorted(Status.values)
    # the demo companies, new on this database, got their calendars and SLA policies before the work
    assert SlaPolicy.objects.filter(company__code="sz").exists()
    assert BusinessCalendar.objects.filter(company__code="sh").exists()
    assert Task.objects.filter(state="ready", process_key="complaint", sla_policy__isnull=False).exists()


def test_setup_works_in_production_mode_and_runs_again(transactional_db):
    """With asynchronous service calls (a broker nobody consumes), the demo still loads complete:
    its flows' calls run in the command itself; a second run adds nothing."""
    from engine.models import OutboxMessage, ServiceCall
    from tests.conftest import celery_through

    with celery_through("memory://"):
        call_command("anju_setup", "--no-demo", stdout=StringIO())
        assert not ProcessInstance.objects.exists()
        call_command("anju_setup", "--no-history", stdout=StringIO())
        counts = (ProcessInstance.objects.count(), Task.objects.count(), OutboxMessage.objects.count())
        call_command("anju_setup", "--no-history", stdout=StringIO())
        call_command("anju_setup", "--no-demo", stdout=StringIO())
    assert (ProcessInstance.objects.count(), Task.objects.count(), OutboxMessage.objects.count()) == counts
    assert not ServiceCall.objects.exclude(state="done").exists()
    assert not Incident.objects.exists()
    complaints = ProcessInstance.objects.filter(process_key="complaint")
    assert sorted(complaints.values_list("customer_name", flat=True)) == sorted(
        issue["customer_name"] for issue in ISSUES
    )
    assert Task.objects.filter(state="ready", element_id="Task_HandleEngineering").count() == 1
    assert Task.objects.filter(state="ready", process_key="sales").count() == 3
    assert Task.objects.filter(state="ready", element_id="Task_MockInspection").count() == 3
    assert (
        Task.objects.filter(state="ready", process_key="movein_defect", element_id="Task_Dispatch").count()
        == 1
    )
    assert OutboxMessage.objects.filter(template_id="COMPLAINT_ACCEPTED").exists()
