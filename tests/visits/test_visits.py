"""云通行 (webapp/visits) through HTTP: 孙丽 (sales, 置业顾问) issues a visit pass to a buyer of 滨海花园,
the buyer books, changes and cancels a slot on the public page, gets the reminder the day before,
the gate (王保安, guard) or 孙丽 records the visit, and the statistics count it. 李娜 (agent, 客服)
holds no sales right."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from engine import clock

TOMORROW = "2026-11-28"  # the clock starts Friday 2026-11-27 09:00 in Shanghai (tests/conftest.py)
DAY_AFTER = "2026-11-29"


def _outbox(template: str) -> list[Any]:
    from engine.models import OutboxMessage

    return list(OutboxMessage.objects.filter(template_id=template).order_by("pk"))


@pytest.fixture
def sales_world(master: dict[str, Any], cast: dict) -> dict[str, Any]:
    from webapp.accounts.models import Project
    from webapp.realestate.models import Customer

    company = master["sz"]
    binhai = Project.objects.get(company=company, code="binhai")
    buyers = list(Customer.objects.filter(company=company).exclude(mobile="").order_by("pk")[:2])
    return {"project": binhai, "buyer": buyers[0], "other_buyer": buyers[1], "company": company}


def issue(api: Any, world: dict[str, Any], buyer: Any = None, **body: Any) -> dict[str, Any]:
    data = {"project": world["project"].pk, "customer_id": (buyer or world["buyer"]).pk,
            "valid_from": "2026-11-27", "valid_until": "2026-12-10", "max_entries": 3, **body}  # fmt: skip
    response = api("sales").post("/api/visits/passes/", data, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def open_slots(api: Any, world: dict[str, Any], day: str, capacity: int = 2) -> list[dict[str, Any]]:
    body = {"project": world["project"].pk, "date_from": day, "date_to": day, "start_time": "10:00",
            "end_time": "12:00", "minutes": 60, "capacity": capacity}  # fmt: skip
    response = api("sales").post("/api/visits/slots/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["created"]


def link_of(message: Any) -> str:
    found = re.search(r"(/visit/[^/\s]+/)", message.content)
    assert found, message.content
    return found.group(1)


def booking_path(world: dict[str, Any], pass_id: int) -> str:
    from webapp.passes.models import Pass
    from webapp.visits.actions import booking_link

    return booking_link(Pass.objects.get(pk=pass_id))


def test_salesperson_issues_a_pass_and_the_buyer_gets_the_link_by_sms(web, sales_world):
    from webapp.passes.models import Pass

    client = web("sales")
    response = client.post("/visits/passes/", {
        "project": sales_world["project"].pk, "customer_id": sales_world["buyer"].pk,
        "valid_from": "2026-11-27", "valid_until": "2026-12-03", "max_entries": "2",
    })  # fmt: skip
    assert response.status_code == 302
    visit_pass = Pass.objects.get(customer=sales_world["buyer"], kind="sales_visit")
    assert (visit_pass.issued_by_user.username, visit_pass.max_entries) == ("sales", 2)
    assert response["Location"] == f"/visits/passes/{visit_pass.pk}/"
    [sms] = _outbox("VISIT_PASS_ISSUED")
    assert sms.recipient.endswith(sales_world["buyer"].mobile)
    assert "孙丽" in sms.content and "2026-11-27至2026-12-03" in sms.content
    page = web(None).get(link_of(sms))
    assert page.status_code == 200
    assert sales_world["project"].name in page.content.decode()
    assert not _outbox("PASS_ISSUED")  # one SMS, ours, with the booking link
    assert client.get(f"/visits/passes/{visit_pass.pk}/").status_code == 200
    from engine.models import AuditEvent

    assert AuditEvent.objects.filter(process_key="passes", element_id=f"pass:{visit_pass.pk}").exists()


def test_a_new_buyer_is_created_as_a_customer_with_the_pass(api, sales_world):
    from stdnum.cn import ric

    from webapp.realestate.models import Customer

    body17 = "44030519900102123"
    body = {"customer_id": "", "customer": {
        "name": "赵新", "mobile": "13912345678", "id_type": "resident_id",
        "id_number": body17 + ric.calc_check_digit(body17 + "0"), "address": "深圳市南山区海岸路1号",
    }}  # fmt: skip
    issued = issue(api, sales_world, **body)
    customer = Customer.objects.get(pk=issued["customer"])
    assert (customer.name, customer.mobile, customer.company_id) == (
        "赵新",
        "13912345678",
        sales_world["company"].pk,
    )
    assert len(_outbox("VISIT_PASS_ISSUED")) == 1


def test_bad_input_is_a_400_with_every_field_error(api, web, sales_world):
    body = {
        "project": "x",
        "customer_id": 987654321,
        "valid_from": "2026-13-01",
        "valid_until": "",
        "max_entries": 0,
    }
    response = api("sales").post("/api/visits/passes/", body, format="json")
    assert response.status_code == 400
    assert {"project", "customer_id", "valid_from", "valid_until", "max_entries"} <= set(
        response.json()["field_errors"]
    )
    bad_customer = {"project": sales_world["project"].pk, "customer": {"name": "", "mobile": "123"},
                    "valid_from": "2026-11-27", "valid_until": "2026-11-30", "max_entries": 1}  # fmt: skip
    response = api("sales").post("/api/visits/passes/", bad_customer, format="json")
    assert response.status_code == 400
    assert {"customer.name", "customer.mobile"} <= set(response.json()["field_errors"])
    page = web("sales").post("/visits/slots/", {"project": sales_world["project"].pk, "date_from": "2026-11-20",
                                                "date_to": "2026-11-19", "start_time": "10:00", "end_time": "09:00",
                                                "minutes": "60", "capacity": "0"})  # fmt: skip
    assert page.status_code == 400
    text = page.content.decode()
    for field in ("date_from", "date_to", "end_time", "capacity"):
        assert f'data-field="{field}"' in text
    assert api("sales").get("/api/visits/stats/", {"date_from": "bad"}).status_code == 400
    assert api("sales").post("/api/visits/passes/", [1, 2], format="json").status_code == 400


def test_staff_without_the_sales_right_are_refused(api, web, sales_world):
    for path in ("/visits/passes/", "/visits/slots/", "/visits/stats/"):
        assert web("agent").get(path).status_code == 403
    assert api("agent").get("/api/visits/stats/").status_code == 403
    assert api("agent").post("/api/visits/passes/", {}, format="json").status_code == 403
    issued = issue(api, sales_world)
    assert web("agent").get(f"/visits/passes/{issued['id']}/").status_code == 403
    assert web("outsider").get(f"/visits/passes/{issued['id']}/").status_code == 404  # another company


def test_buyer_books_a_slot_and_changes_it(api, web, sales_world):
    from webapp.visits.models import Booking, VisitSlot

    issued = issue(api, sales_world)
    first, second = open_slots(api, sales_world, TOMORROW)
    buyer = web(None)
    path = booking_path(sales_world, issued["id"])
    page = buyer.get(path)
    assert page.status_code == 200 and f'value="{first["id"]}"' in page.content.decode()
    assert buyer.post(path, {"action": "book", "slot": first["id"]}).status_code == 302
    booking = Booking.objects.get(visit_pass_id=issued["id"])
    assert (booking.slot_id, booking.status) == (first["id"], "booked")
    assert "2026-11-28 10:00-11:00" in _outbox("VISIT_BOOKED")[0].content
    again = buyer.post(path, {"action": "book", "slot": second["id"]})
    assert again.status_code == 400  # one open booking per pass: change it instead
    assert buyer.post(path, {"action": "change", "slot": second["id"]}).status_code == 302
    booking.refresh_from_db()
    assert booking.slot_id == second["id"]
    assert dict(VisitSlot.objects.filter(pk__in=[first["id"], second["id"]]).values_list("pk", "booked")) == {
        first["id"]: 0, second["id"]: 1}  # fmt: skip
    assert buyer.post(path, {"action": "cancel"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled" and VisitSlot.objects.get(pk=second["id"]).booked == 0
    from engine.models import AuditEvent

    changes = list(
        AuditEvent.objects.filter(element_id=f"booking:{booking.pk}").values_list(
            "details__change", flat=True
        )
    )
    assert changes == ["booked", "changed", "cancelled"]
    assert buyer.post(path, {"action": "dance"}).status_code == 400
    assert buyer.post(path, {"action": "book", "slot": "abc"}).status_code == 400


def test_a_full_slot_is_refused_with_400(api, web, sales_world):
    issued = issue(api, sales_world)
    other = issue(api, sales_world, buyer=sales_world["other_buyer"])
    [slot] = open_slots(api, sales_world, TOMORROW, capacity=1)[:1]
    first = web(None).post(booking_path(sales_world, issued["id"]), {"action": "book", "slot": slot["id"]})
    assert first.status_code == 302
    second = web(None).post(booking_path(sales_world, other["id"]), {"action": "book", "slot": slot["id"]})
    assert second.status_code == 400
    assert 'data-field="slot"' in second.content.decode()


def test_a_slot_that_has_begun_cannot_be_booked_or_changed(api, web, sales_world):
    issued = issue(api, sales_world)
    first, second = open_slots(api, sales_world, TOMORROW)
    path = booking_path(sales_world, issued["id"])
    assert web(None).post(path, {"action": "book", "slot": first["id"]}).status_code == 302
    clock.advance(dt.timedelta(days=1, hours=1, minutes=30))  # Saturday 10:30: the first slot has begun
    assert web(None).post(path, {"action": "change", "slot": second["id"]}).status_code == 400
    assert web(None).post(path, {"action": "cancel"}).status_code == 400


def test_a_tampered_token_is_a_404(api, web, sales_world):
    issued = issue(api, sales_world)
    path = booking_path(sales_world, issued["id"])
    token = path.split("/")[2]
    assert web(None).get(path).status_code == 200
    assert web(None).get(f"/visit/{token[:-1]}x/").status_code == 404
    assert web(None).get(f"/visit/{issued['id']}/").status_code == 404
    from webapp.passes.models import Pass
    from webapp.passes.tokens import token_for

    gate_token = token_for(Pass.objects.get(pk=issued["id"]).code)  # the gate's token is not a booking link
    assert web(None).post(f"/visit/{gate_token}/", {"action": "cancel"}).status_code == 404


def test_the_reminder_goes_once_the_day_before(api, web, sales_world):
    from engine.tasks import hourly

    issued = issue(api, sales_world)
    slot = open_slots(api, sales_world, DAY_AFTER)[0]
    assert (
        web(None)
        .post(booking_path(sales_world, issued["id"]), {"action": "book", "slot": slot["id"]})
        .status_code
        == 302
    )
    assert hourly()["visits"] == 0  # Friday: the visit is on Sunday
    clock.advance(dt.timedelta(days=1))  # Saturday 09:00
    assert hourly()["visits"] == 1
    assert hourly()["visits"] == 0
    [reminder] = _outbox("VISIT_REMINDER")
    assert "明天2026-11-29 10:00-11:00" in reminder.content
    assert "/visit/" in reminder.content


def test_the_gate_records_the_visit_and_the_consultant_is_told_to_receive(api, web, sales_world):
    from engine.models import AlertRecipient
    from webapp.passes.models import Pass
    from webapp.passes.tokens import token_for
    from webapp.visits.history import customer_visits
    from webapp.visits.models import Booking

    issued = issue(api, sales_world)
    slot = open_slots(api, sales_world, TOMORROW)[0]
    assert (
        web(None)
        .post(booking_path(sales_world, issued["id"]), {"action": "book", "slot": slot["id"]})
        .status_code
        == 302
    )
    clock.advance(dt.timedelta(days=1))  # Saturday 09:00, the day of the visit
    gate_token = token_for(Pass.objects.get(pk=issued["id"]).code)
    admitted = api("guard").post("/api/passes/admit/", {"code": gate_token}, format="json")
    assert admitted.status_code == 200, admitted.content
    booking = Booking.objects.get(visit_pass_id=issued["id"])
    assert (booking.status, booking.visit_source, booking.visit_recorded_by.username) == (
        "visited",
        "gate",
        "guard",
    )
    alert = AlertRecipient.objects.select_related("alert").get(
        user__username="sales", alert__key=f"visit:{booking.pk}"
    )
    assert sales_world["buyer"].name in alert.alert.message
    [entry] = customer_visits(_user("sales"), sales_world["buyer"].pk)
    assert entry.status == "visited"
    # on the customer's page, beside the cases (webapp.realestate.history's sections)
    customer_page = web("sales").get(f"/customers/{sales_world['buyer'].pk}/").content.decode()
    assert 'id="customer-visits"' in customer_page and f'data-booking="{booking.pk}"' in customer_page
    assert "已到访" in customer_page
    detail = web("sales").get(f"/visits/passes/{issued['id']}/").content.decode()
    assert "/start/sales/" in detail  # 客户接待 goes on in the sales flow's reception
    import html
    import re

    reception = html.unescape(re.search(r'href="(/start/sales/\?[^"]+)"', detail)[1])
    form = web("sales").get(reception).content.decode()
    buyer = sales_world["buyer"]
    assert f'<option value="{buyer.pk}" selected>' in form  # the visitor, picked already
    assert f'<option value="{sales_world["project"].pk}" selected>' in form


def _user(username: str) -> Any:
    from webapp.accounts.models import User

    return User.objects.get(username=username)


def test_sales_staff_record_a_visit_once(api, web, sales_world):
    from webapp.visits.models import Booking

    issued = issue(api, sales_world)
    slot = open_slots(api, sales_world, TOMORROW)[0]
    web(None).post(booking_path(sales_world, issued["id"]), {"action": "book", "slot": slot["id"]})
    booking = Booking.objects.get(visit_pass_id=issued["id"])
    assert web("sales").post(f"/visits/bookings/{booking.pk}/visited/").status_code == 302
    second = api("sales").post(f"/api/visits/bookings/{booking.pk}/visited/")
    assert second.status_code == 200 and second.json()["status"] == "visited"
    booking.refresh_from_db()
    assert (booking.status, booking.visit_source, booking.visit_recorded_by.username) == (
        "visited",
        "staff",
        "sales",
    )
    from engine.models import AuditEvent

    assert (
        AuditEvent.objects.filter(element_id=f"booking:{booking.pk}", details__change="visited").count() == 1
    )
    assert web("agent").post(f"/visits/bookings/{booking.pk}/visited/").status_code == 403


def test_statistics_count_passes_bookings_visits_no_shows_and_conversion(api, web, sales_world):
    from engine.tasks import hourly
    from webapp.realestate.models import Room
    from webapp.realestate.schedule import ensure_payment_methods
    from webapp.sales.models import Subscription
    from webapp.visits.models import Booking

    visitor = issue(api, sales_world)
    absent = issue(api, sales_world, buyer=sales_world["other_buyer"])
    first, second = open_slots(api, sales_world, TOMORROW)
    web(None).post(booking_path(sales_world, visitor["id"]), {"action": "book", "slot": first["id"]})
    web(None).post(booking_path(sales_world, absent["id"]), {"action": "book", "slot": second["id"]})
    visited = Booking.objects.get(visit_pass_id=visitor["id"])
    clock.advance(dt.timedelta(days=1, hours=1, minutes=10))  # Saturday 10:10: the buyer is there
    assert web("sales").post(f"/visits/bookings/{visited.pk}/visited/").status_code == 302
    clock.advance(dt.timedelta(hours=3))  # Saturday 13:10: the 11:00 slot has ended, nobody came
    no_show = Booking.objects.get(visit_pass_id=absent["id"])
    assert no_show.state_at(clock.now()) == "no_show"  # on read, before the hourly job
    hourly()
    no_show.refresh_from_db()
    assert no_show.status == "no_show"
    company = sales_world["company"]
    ensure_payment_methods(company)
    from webapp.realestate.models import PaymentMethod

    room = Room.objects.filter(project=sales_world["project"]).order_by("pk").first()
    Subscription.objects.create(
        company=company, customer=sales_world["buyer"], room=room, project=sales_world["project"],
        salesperson=_user("sales"), agreement_no="RG-VISIT-1", agreement_date=dt.date(2026, 11, 28),
        entered_at=clock.now(), payment_method=PaymentMethod.objects.filter(company=company).first(),
        list_price=Decimal("1000000"), total_price=Decimal("1000000"), deposit_due=Decimal("50000"),
        deposit_received=Decimal("50000"), planned_signing_date=dt.date(2026, 12, 5),
    )  # fmt: skip
    response = api("sales").get("/api/visits/stats/", {"date_from": "2026-11-27", "date_to": "2026-11-28"})
    assert response.status_code == 200
    [row] = response.json()["projects"]
    assert {k: row[k] for k in ("passes", "bookings", "visits", "no_shows", "buyers", "converted", "conversion")} == {
        "passes": 2, "bookings": 2, "visits": 1, "no_shows": 1, "buyers": 2, "converted": 1, "conversion": 50.0}  # fmt: skip
    page = web("sales").get("/visits/stats/", {"date_from": "2026-11-27", "date_to": "2026-11-28"})
    assert page.status_code == 200 and "50.0" in page.content.decode()
    earlier = api("sales").get("/api/visits/stats/", {"date_from": "2026-11-01", "date_to": "2026-11-26"})
    assert earlier.json()["projects"] == []


def test_the_demo_opens_a_week_of_slots_and_two_passes_once(cast, sales_world):
    from webapp.visits.demo import load_demo_visits
    from webapp.visits.models import Booking, VisitSlot

    assert load_demo_visits(cast) == 2
    assert VisitSlot.objects.filter(project=sales_world["project"]).count() == 7 * 7
    [booked] = Booking.objects.all()
    assert booked.customer.name == "张三" and booked.slot.starts_at.date() > dt.date(2026, 11, 27)
    assert load_demo_visits(cast) == 0
