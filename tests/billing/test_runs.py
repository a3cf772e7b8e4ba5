"""Monthly billing runs through the API: preview, post, run again (nothing twice), proration, the
problems a run reports, discarding, and who may do what. Amounts to the fen (November: 30 days)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from engine.models import OutboxMessage
from webapp.billing.models import Charge

from .conftest import bills, compute, run_and_post, start_run


def by_room(rows: list[dict]) -> dict[str, dict]:
    return {row["room_code"]: row for row in rows}


def test_a_run_previews_drafts_then_posts_them_as_bills(api, billed):
    steward = api("steward")
    run = compute(steward, start_run(steward, billed, "2026-11"))
    assert run["status"] == "preview" and run["progress"] == 100 and run["total_rooms"] == 6
    # 1502: 89.37 × 2.85 = 254.7045 → 254.70 (the owner pays, not the tenant); 0101: 120 × 2.85;
    # 0802 bought on the 11th: 100 × 2.85 × 20/30 = 190.00; 1503 has no 收费面积: a problem
    assert (run["line_count"], run["amount"], run["problem_count"]) == (3, "786.70", 1)
    assert run["problems"][0]["room"] == "BH-3-1-1503" and "收费面积" in run["problems"][0]["reason"]
    assert bills(steward, billed) == []  # drafts are not bills yet
    lines = by_room(steward.get(f"/api/billing/runs/{run['id']}/lines/").json()["results"])
    assert lines["BH-3-1-1502"]["amount"] == "254.70" and lines["BH-3-1-1502"]["payer_name"] == "陈业主"
    assert lines["BH-5-1-0802"]["days"] == 20 and lines["BH-5-1-0802"]["amount"] == "190.00"

    posted = steward.post(f"/api/billing/runs/{run['id']}/post/").json()
    assert posted["status"] == "posted"
    rows = by_room(bills(steward, billed))
    assert {code: r["amount"] for code, r in rows.items()} == {
        "BH-3-1-1502": "254.70", "BH-3-1-0101": "342.00", "BH-5-1-0802": "190.00"}  # fmt: skip
    assert {r["status"] for r in rows.values()} == {"open"}
    assert rows["BH-3-1-1502"]["issued_on"] == "2026-11-27" and rows["BH-3-1-1502"]["due_on"] == "2026-12-12"
    # the report of the database agrees to the fen
    assert Charge.objects.filter(project=billed["binhai"]).aggregate(s=Sum("amount"))["s"] == Decimal(
        "786.70"
    )
    # one bill notice per payer with a mobile: 陈业主 holds all three bills
    notice = OutboxMessage.objects.get(template_id="BILL_NOTICE")
    assert notice.recipient.endswith("13912345678") and notice.params["amount"] == "786.70"
    assert "2026-11账单已出，共786.70元，请于2026-12-12前缴纳" in notice.content


def test_running_a_month_again_creates_nothing_twice(api, billed):
    steward = api("steward")
    first = run_and_post(steward, billed, "2026-11")
    second = run_and_post(steward, billed, "2026-11")
    assert (second["line_count"], second["already_count"], second["amount"]) == (0, 3, "0.00")
    assert len(bills(steward, billed)) == 3 and first["line_count"] == 3


def test_a_second_run_bills_what_the_first_could_not(api, billed):
    steward = api("steward")
    run_and_post(steward, billed, "2026-11")
    billed["no_area"].chargeable_area = Decimal("66.66")
    billed["no_area"].save(update_fields=["chargeable_area"])
    second = run_and_post(steward, billed, "2026-11")
    # 66.66 × 2.85 = 189.981 → 189.98
    assert (second["line_count"], second["amount"], second["already_count"]) == (1, "189.98", 3)


def test_a_later_run_does_not_bill_a_billed_room_again_when_its_residents_change(api, billed):
    from .conftest import residency

    steward = api("steward")
    run_and_post(steward, billed, "2026-11")  # 0802: 陈业主 from 11-11, 20 days
    residency(billed["b5_flat"], billed["tenant"], "owner", "2026-11-01", "2026-11-10")  # entered late
    second = run_and_post(steward, billed, "2026-11")
    assert (second["line_count"], second["already_count"]) == (0, 3)  # corrected by the desk, not a run
    assert Charge.objects.filter(room=billed["b5_flat"]).count() == 1


def test_one_active_run_per_month_and_a_discarded_preview_leaves_nothing(api, billed):
    steward = api("steward")
    run = start_run(steward, billed, "2026-11")  # computed right after the commit (inline in tests)
    assert run["status"] == "preview"
    again = start_run(steward, billed, "2026-11", status=400)  # the preview is still active
    assert "period" in again["field_errors"]
    discarded = steward.post(f"/api/billing/runs/{run['id']}/discard/").json()
    assert discarded["status"] == "discarded" and Charge.objects.filter(run_id=run["id"]).count() == 0
    assert steward.post(f"/api/billing/runs/{run['id']}/post/").status_code == 400
    assert start_run(steward, billed, "2026-11")["status"] == "preview"


def test_bad_periods_are_refused(api, billed):
    steward = api("steward")
    for period in ("2026-13", "next month", "", None, 202611, "2027-01"):
        body = start_run(steward, billed, period, status=400)  # type: ignore[arg-type]
        assert "period" in body["field_errors"], period
    assert steward.post("/api/billing/runs/", [1], format="json").status_code == 400
    assert steward.post("/api/billing/runs/", {"period": "2026-11"}, format="json").status_code == 400


def test_who_may_run_and_see(api, billed):
    run = start_run(api("steward"), billed, "2026-11")
    assert api("engineer").get("/api/billing/runs/", {"project": billed["binhai"].pk}).status_code == 403
    assert api("cashier").post("/api/billing/runs/", {"project": billed["binhai"].pk, "period": "2026-10"},
                               format="json").status_code == 403  # fmt: skip
    assert api("cashier").get(f"/api/billing/runs/{run['id']}/").status_code == 200
    assert api("outsider").get(f"/api/billing/runs/{run['id']}/").status_code == 404
    assert api("outsider").post("/api/billing/runs/", {"project": billed["binhai"].pk, "period": "2026-10"},
                                format="json").status_code == 404  # fmt: skip


def test_the_queries_of_a_run_do_not_grow_with_the_rooms(api, billed, cast, django_assert_max_num_queries):
    from webapp.billing.models import BillingRun
    from webapp.billing.runs import compute_run

    run = BillingRun.objects.create(
        company=billed["binhai"].company, project=billed["binhai"], period="2026-11", created_by=cast["steward"],
        created_at=billed["owner"].created_at, updated_at=billed["owner"].created_at,
    )  # fmt: skip
    with django_assert_max_num_queries(40):
        compute_run(run.pk)
    run.refresh_from_db()
    assert run.status == "preview" and run.line_count == 3


def test_parking_spaces_are_billed_by_their_contracts(api, billed, cast):
    import datetime as dt

    from engine import clock
    from tests.fees.conftest import create
    from webapp.parking.models import ParkingContract

    steward = api("steward")
    create(steward, {"project": billed["binhai"].pk, "code": "tingche", "name": "停车费", "kind": "parking",
                     "version": {"effective_from": "2026-01-01", "unit_price": "350.00", "owned_price": "120.00"}})  # fmt: skip

    def contract(space, customer, kind, start, end=None):
        ParkingContract.objects.create(
            company=space.company, project=billed["binhai"], space=space, customer=customer, kind=kind,
            start_on=dt.date.fromisoformat(start), end_on=dt.date.fromisoformat(end) if end else None,
            created_at=clock.now(), created_by=cast["steward"],
        )  # fmt: skip

    contract(billed["space1"], billed["owner"], "sold", "2026-03-01")  # owned all month: 120.00
    contract(billed["space2"], billed["tenant"], "rented", "2026-11-01", "2026-11-10")  # 10 days of 350
    contract(billed["space2"], billed["owner"], "rented", "2026-11-21", "2027-11-20")  # 10 days of 350
    run = run_and_post(steward, billed, "2026-11")
    spaces = [(r["room_code"], r["payer_name"], r["days"], r["amount"], r["note"])
              for r in bills(steward, billed) if r["item_name"] == "停车费"]  # fmt: skip
    assert sorted(spaces) == [
        ("BH-P-001", "陈业主", 30, "120.00", "自有车位"),
        ("BH-P-002", "林租户", 10, "116.67", "租用车位"),  # 350 × 10/30 = 116.666… → 116.67
        ("BH-P-002", "陈业主", 10, "116.67", "租用车位"),
    ]
    assert run["line_count"] == 6
