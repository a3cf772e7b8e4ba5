"""The world the security tests attack: company sz (the cast's own) with one object of every kind
a route takes an id for, each carrying a secret string that must never reach 马克 (outsider, of
company sh), and a fresh cache per test (the login throttle keeps its counts there)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.signals import got_request_exception

from tests.complaint_data import INTAKE
from tests.helpers import complete, only_task, start
from tests.movein.conftest import contracted_rooms, create_batch, prepare, record_defect

# Strings only company sz's data holds: no response to the outsider may contain one.
SECRET_CUSTOMER = "欧阳秘客"
SECRET_MOBILE = "13912340987"
SECRET_COMPLAINT = "司马机密"
SECRET_COMPLAINT_MOBILE = "13712345670"
SECRET_DEFECT = "主卧窗框渗水秘记"
SECRET_ALERT = "秘密预警甲乙丙"
SECRET_IMPORT = "secret-rooms-0815.xlsx"
SECRET_REPAIR = "地库水泵房秘漏"
SECRETS = (
    SECRET_CUSTOMER,
    SECRET_MOBILE,
    SECRET_COMPLAINT,
    SECRET_COMPLAINT_MOBILE,
    SECRET_DEFECT,
    SECRET_ALERT,
    SECRET_IMPORT,
    SECRET_REPAIR,
)


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Login-throttle counts (and anything else cached) start empty and are not left behind."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def server_errors() -> Iterator[list[str]]:
    """The exceptions behind the 500s of the test (for clients that do not re-raise them)."""
    found: list[str] = []

    def record(sender: Any, request: Any = None, **kwargs: Any) -> None:
        exc = sys.exc_info()[1]
        found.append(f"{type(exc).__name__}: {exc}"[:300])

    got_request_exception.connect(record, weak=False, dispatch_uid="security-server-errors")
    yield found
    got_request_exception.disconnect(dispatch_uid="security-server-errors")


@pytest.fixture
def world(cast: dict, api: Callable[[str | None], Any], flow: Callable[[str], Any]) -> dict[str, Any]:
    """Company sz with one object of each kind; returns {"ids": {kind: id or key}, "secrets": ...}."""
    from django.contrib.auth.models import Group

    from engine import clock
    from engine.models import Alert, AlertRecipient, Incident, MigrationJob, ProcessVersion
    from engine.sla_defaults import ensure_sla_setup
    from webapp.accounts.models import Project, WorkGroup
    from webapp.designer.drafts import do_open_draft
    from webapp.movein.models import (
        AcceptanceRecord,
        BatchRoom,
        Contractor,
        DefectPhoto,
        InspectionItem,
        Trade,
        TradeAssignment,
    )
    from webapp.movein.standards import ensure_standards
    from webapp.realestate.models import Customer, ImportJob
    from webapp.sales.models import Subscription

    company = cast["agent"].company
    now = clock.now()
    for name in ("complaint", "scripts", "movein/batch", "movein/room", "movein/defect"):
        flow(name)
    ensure_sla_setup(company)
    ensure_standards(company.corporate_group)

    # engine: an instance with an open task, an incident, an alert
    agent = api("agent")
    complaint = start(
        agent,
        "complaint",
        {**INTAKE, "customer_name": SECRET_COMPLAINT, "customer_mobile": SECRET_COMPLAINT_MOBILE},
    )
    task = only_task(agent, complaint["id"])
    broken = start(agent, "scripts")
    complete(agent, only_task(agent, broken["id"])["id"], {"value": 0})  # the script divides by it
    incident = Incident.objects.get(instance_id=broken["id"])
    alert = Alert.objects.create(
        company=company, task_id=task["id"], kind="warning", key="security:1", message=SECRET_ALERT,
        lane="客服中心", created_at=now,
    )  # fmt: skip
    for username in ("agent", "cs_head"):
        AlertRecipient.objects.create(alert=alert, user=cast[username])

    # master data and sales: a customer, contracted rooms with their subscriptions, an import
    customer = Customer.objects.create(
        company=company, name=SECRET_CUSTOMER, customer_type="individual", nationality="中国",
        id_type="passport", id_number="E99887766", mobile=SECRET_MOBILE, address="深圳市南山区秘密路1号",
        created_at=now,
    )  # fmt: skip
    binhai = Project.objects.get(company=company, code="binhai")
    building, rooms = contracted_rooms(company, binhai, "6", 2)
    subscription = Subscription.objects.filter(company=company).order_by("pk").first()
    job = ImportJob.objects.create(
        company=company, kind="rooms", file_name=SECRET_IMPORT, content=b"PK\x03\x04", status="failed",
        total_rows=3, processed_rows=3, error_rows=1, errors=[{"row": 2, "field": "code", "column": "*房间编码", "message": "编码重复"}],
        created_by=cast["sales"], created_at=now, updated_at=now, finished_at=now,
    )  # fmt: skip

    # residents: the customer owns the first room (webapp/residents)
    from webapp.residents.models import Residency

    residency = Residency.objects.create(
        company=company, room=rooms[0], customer=customer, role="owner", started_on=now.date(), source="manual",
        created_at=now,
    )  # fmt: skip

    # meters: a water meter of the first room with its start reading (webapp/meters)
    from webapp.meters.models import Meter, Reading

    meter = Meter.objects.create(company=company, room=rooms[0], kind="water", number="W-1", installed_on=now.date(),
                                 created_at=now)  # fmt: skip
    Reading.objects.create(company=company, meter=meter, kind="start", period=now.strftime("%Y-%m"), value=1,
                           read_on=now.date(), source="manual", created_at=now)  # fmt: skip

    # move-in: a batch, its rooms, a defect with a photo, a contractor
    contractor = Contractor.objects.create(
        company=company, name="鹏程装饰", trades=[Trade.DECORATION, Trade.DOORS, Trade.WINDOWS],
        contact_name="黄建", contact_phone="13800138020",
        work_group=WorkGroup.objects.get(company=company, name="承建商·鹏程装饰"),
    )  # fmt: skip
    # window defects of 滨海花园 go straight to 鹏程装饰's rectification (no dispatch task)
    TradeAssignment.objects.create(project=binhai, trade=Trade.WINDOWS, contractor=contractor)
    batch = create_batch(api, building, binhai)
    prepare(api, batch)
    batch_room = BatchRoom.objects.filter(batch_id=batch["id"]).order_by("room__code").first()
    item = InspectionItem.objects.get(category__code="windows", code="sash")
    recorded = record_defect(api, "engineer", batch_room.pk, item, description=SECRET_DEFECT)
    assert recorded.status_code == 201, recorded.content
    defect = recorded.json()
    photo = DefectPhoto.objects.get(defect_id=defect["id"])
    AcceptanceRecord.objects.create(
        company=company, batch_room=batch_room, room_code=batch_room.room.code, room_label="6栋1单元0101",
        owner_name=SECRET_CUSTOMER, accepted_at=now, handled_by=cast["steward"], handled_by_name="钱进",
        keys_count=4, water_meter=1, electricity_meter=2, defects_total=1, open_defects=[],
    )  # fmt: skip

    # repairs: a public-area repair of 滨海花园 (to the team by rule) with a photo
    from tests.repairs.conftest import photo as repair_photo
    from webapp.repairs.master import ensure_repair_master
    from webapp.repairs.models import Repair

    flow("repair")
    ensure_repair_master(company)
    repair_body = {
        "project": binhai.name, "project_id": binhai.pk, "area": "public", "public_location": "地下车库水泵房",
        "customer_name": "来电人", "customer_mobile": "13700001111", "channel": "hotline", "category": "public_area",
        "description": SECRET_REPAIR, "urgency": "normal", "paid": False,
    }  # fmt: skip
    repair = Repair.objects.get(instance_id=start(agent, "repair", repair_body)["id"])
    uploaded = agent.post(
        f"/api/repairs/{repair.pk}/photos/",
        {"kind": "before", "photos": [repair_photo()]},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content

    # fee setup: the property fee of 滨海花园 (webapp/fees)
    from webapp.fees.actions import do_create_item

    fee_item = do_create_item(cast["steward"], binhai, {
        "code": "wuye", "name": "物业费", "kind": "property",
        "version": {"effective_from": "2026-01-01", "unit_price": "2.85"},
    })  # fmt: skip

    # parking: a space of 滨海花园's garage, rented to the customer, with a car (webapp/parking)
    from webapp.parking.actions import do_add_vehicle, do_create_contract
    from webapp.realestate.models import Room

    space = Room.objects.create(floor=rooms[0].floor, project=binhai, company=company, code="BH-P-901", name="P-901",
                                kind="parking", list_price=0)  # fmt: skip
    parking_contract = do_create_contract(cast["steward"], binhai, {
        "space": space.pk, "customer": customer.pk, "kind": "rented", "start_on": "2026-11-01", "end_on": "2027-10-31",
    })  # fmt: skip
    vehicle = do_add_vehicle(cast["steward"], space, {"plate": "粤B90101"})

    # billing: a run in preview, an open bill paid in part at the desk (a receipt), an online order
    import datetime as dt

    from webapp.billing.models import BillingRun, Charge, PaymentOrder
    from webapp.billing.payments import do_desk_payment

    billing_run = BillingRun.objects.create(company=company, project=binhai, period="2026-11", status="preview",
                                            created_at=now, updated_at=now, created_by=cast["steward"])  # fmt: skip
    charge = Charge.objects.create(
        company=company, project=binhai, room=rooms[0], customer=customer, payer_name=SECRET_CUSTOMER, item=fee_item,
        version=fee_item.versions.get(), period="2026-10", status="open", amount=100, issued_on=now.date(),
        due_on=now.date(), created_at=now,
    )  # fmt: skip
    payment = do_desk_payment(
        cast["cashier"], binhai, {"charges": [charge.pk], "amount": "10.00", "method": "cash"}
    )
    order = PaymentOrder.objects.create(company=company, project=binhai, out_trade_no="AJSECURITY0001", backend="offline",
                                        amount=90, created_at=now, expires_at=now + dt.timedelta(minutes=15))  # fmt: skip

    # passes: a decoration pass the customer requested for the first room (webapp/passes)
    from webapp.passes.actions import HolderInput, do_issue_pass

    decoration = do_issue_pass(
        kind="decoration", project=binhai, room=rooms[0], issued_by_customer=customer, resident_mobile=SECRET_MOBILE,
        holder=HolderInput(SECRET_CUSTOMER, "13700002222", now.date(), now.date(), None, "110105199003070025"),
    )  # fmt: skip

    # community: a notice of 滨海花园 and a questionnaire in draft (webapp/community)
    from webapp.community.notices import do_publish_notice
    from webapp.community.surveys import do_create_survey

    notice = do_publish_notice(
        cast["steward"], {"project": binhai.pk, "title": "停水通知", "body": "停水检修"}, []
    )
    survey = do_create_survey(cast["steward"], {"project": binhai.pk, "title": "问卷", "q1_kind": "rating",
                                                "q1_text": "满意吗"})  # fmt: skip

    # 云通行: a visit pass of the customer's with a booking of a slot tomorrow (webapp/visits)
    from webapp.visits.booking import do_book
    from webapp.visits.models import VisitSlot

    visit_pass = do_issue_pass(
        kind="sales_visit", project=binhai, issued_by_user=cast["sales"], customer=customer, notify=False,
        holder=HolderInput(SECRET_CUSTOMER, "13700003333", now.date(), now.date() + dt.timedelta(days=3), 2),
    )  # fmt: skip
    visit_slot = VisitSlot.objects.create(company=company, project=binhai, starts_at=now + dt.timedelta(days=1),
                                          ends_at=now + dt.timedelta(days=1, hours=1), capacity=3,
                                          created_by=cast["sales"], created_at=now)  # fmt: skip
    visit_booking = do_book(visit_pass, visit_slot.pk)

    # designer: a draft of the analyst's, a migration job
    version = ProcessVersion.objects.get(key="complaint")
    draft = do_open_draft(cast["analyst"], "complaint")
    migration = MigrationJob.objects.create(
        company=company, source=version, target=version, instance_ids=[complaint["id"]], status="done",
        total=1, done=1, skipped=1, note=SECRET_COMPLAINT, created_by=cast["analyst"], created_at=now,
    )  # fmt: skip

    ids = {
        "instance": complaint["id"],
        "task": task["id"],
        "incident": incident.pk,
        "alert": alert.pk,
        "customer": customer.pk,
        "room": rooms[0].pk,
        "import": job.pk,
        "residency": residency.pk,
        "meter": meter.pk,
        "subscription": subscription.pk,
        "batch": batch["id"],
        "batch_room": batch_room.pk,
        "defect": defect["id"],
        "photo": photo.pk,
        "contractor": contractor.pk,
        "repair": repair.pk,
        "repair_photo": uploaded.json()[0]["id"],
        "fee_item": fee_item.pk,
        "parking_space": space.pk,
        "parking_contract": parking_contract.pk,
        "vehicle": vehicle.pk,
        "billing_run": billing_run.pk,
        "charge": charge.pk,
        "payment": payment.pk,
        "payment_order": order.pk,
        "notice": notice.pk,
        "survey": survey.pk,
        "pass": decoration.pk,
        "visit_pass": visit_pass.pk,
        "visit_booking": visit_booking.pk,
        "version": version.pk,
        "flow": version.key,
        "draft": draft.pk,
        "migration": migration.pk,
        "user": cast["agent"].pk,
        "role": Group.objects.get(name="客服主管").pk,
    }
    return {"ids": ids, "secrets": SECRETS, "company": company}
