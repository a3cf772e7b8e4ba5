"""The front desk through the API: partial payments allocated oldest first, receipts numbered
without gaps, two cashiers on one bill (one wins), credit notes, deposits and their refund, and
the cashier's daily closing. Amounts to the fen."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from engine import clock
from webapp.billing.models import Allocation, Charge, Payment, Receipt

from .conftest import bills, pay, run_and_post


@pytest.fixture
def posted(api, billed):
    run_and_post(api("steward"), billed, "2026-11")
    rows = {r["room_code"]: r for r in bills(api("cashier"), billed)}
    return billed, rows


def test_a_partial_payment_goes_to_the_oldest_bills_first(api, posted):
    billed, rows = posted
    cashier = api("cashier")
    october = Charge.objects.get(pk=rows["BH-3-1-0101"]["id"])
    Charge.objects.filter(pk=october.pk).update(due_on=dt.date(2026, 11, 30))  # due before the others
    ids = [r["id"] for r in rows.values()]
    payment = pay(cashier, billed, ids, "400.00")
    assert payment["receipt"] == "BINHAI-2026-000001" and payment["method_label"] == "现金"
    # 0101 (342.00, due first) in full, then 1502 with the remaining 58.00
    assert [(a["charge"], a["amount"]) for a in payment["allocations"]] == [
        (rows["BH-3-1-0101"]["id"], "342.00"), (rows["BH-3-1-1502"]["id"], "58.00")]  # fmt: skip
    after = {r["room_code"]: r for r in bills(cashier, billed)}
    assert (after["BH-3-1-0101"]["status"], after["BH-3-1-0101"]["paid_on"]) == ("paid", "2026-11-27")
    assert (after["BH-3-1-1502"]["balance"], after["BH-3-1-1502"]["status"]) == ("196.70", "open")
    assert after["BH-5-1-0802"]["paid"] == "0.00"
    second = pay(cashier, billed, [rows["BH-3-1-1502"]["id"], rows["BH-5-1-0802"]["id"]], "386.70",
                 method="pos", reference="POS-8841")  # fmt: skip
    assert second["receipt"] == "BINHAI-2026-000002"
    assert {r["status"] for r in bills(cashier, billed)} == {"paid"}
    assert Allocation.objects.aggregate(s=Sum("amount"))["s"] == Decimal("786.70")


def test_bad_payments_are_refused_and_save_nothing(api, posted):
    billed, rows = posted
    cashier = api("cashier")
    one = rows["BH-3-1-1502"]["id"]
    cases = [
        ({"charges": [one], "amount": "254.71"}, "amount"),  # more than owed
        ({"charges": [one], "amount": 10.5}, "amount"),  # a float
        ({"charges": [one], "amount": "0"}, "amount"),
        ({"charges": [one], "amount": "-5"}, "amount"),
        ({"charges": [], "amount": "5"}, "charges"),
        ({"charges": ["x"], "amount": "5"}, "charges"),
        ({"charges": [one], "amount": "5", "method": "gold"}, "method"),
        ({"charges": [one], "amount": "5", "method": "pos"}, "reference"),  # POS needs the slip number
        ({"charges": [999999], "amount": "5"}, "charges"),
    ]
    for body, field in cases:
        body = {"method": "cash", **body}
        answer = pay(cashier, billed, body.pop("charges"), body.pop("amount"), status=400, **body)
        assert field in answer["field_errors"], (body, answer)
    assert Payment.objects.count() == 0 and Receipt.objects.count() == 0
    assert api("engineer").post("/api/billing/payments/", {}, format="json").status_code == 403
    assert (
        api("steward").post("/api/billing/payments/", {}, format="json").status_code == 403
    )  # not a cashier
    assert api("outsider").get(f"/api/billing/charges/{one}/").status_code == 404


def test_a_paid_bill_cannot_be_paid_again(api, posted):
    billed, rows = posted
    one = rows["BH-3-1-1502"]["id"]
    pay(api("cashier"), billed, [one], "254.70")
    again = pay(api("cashier2"), billed, [one], "254.70", status=409)
    assert "charges" in again["field_errors"]
    assert Payment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks: PostgreSQL")
def test_two_cashiers_taking_one_bill_at_once_one_wins(api, posted):
    billed, rows = posted
    one = rows["BH-3-1-0101"]["id"]
    results: list[int] = []
    barrier = threading.Barrier(2)

    def take(who: str) -> None:
        client = api(who)
        barrier.wait()
        answer = client.post("/api/billing/payments/", {"project": billed["binhai"].pk, "charges": [one],
                                                         "amount": "342.00", "method": "cash"}, format="json")  # fmt: skip
        results.append(answer.status_code)
        connection.close()

    threads = [threading.Thread(target=take, args=(who,)) for who in ("cashier", "cashier2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201, 409]
    assert Charge.objects.get(pk=one).paid == Decimal("342.00")
    assert list(Receipt.objects.values_list("number", flat=True)) == [1]  # no gap left by the loser


def test_a_credit_note_reduces_a_bill_and_is_the_only_correction(api, posted):
    _billed, rows = posted
    one = rows["BH-3-1-1502"]["id"]
    manager = api("pm_manager")
    answer = manager.post(
        f"/api/billing/charges/{one}/credit/", {"amount": "54.70", "reason": "面积更正"}, format="json"
    )
    assert answer.status_code == 201, answer.content
    bill = manager.get(f"/api/billing/charges/{one}/").json()
    assert (bill["amount"], bill["credited"], bill["balance"]) == ("254.70", "54.70", "200.00")
    too_much = manager.post(
        f"/api/billing/charges/{one}/credit/", {"amount": "200.01", "reason": "x"}, format="json"
    )
    assert too_much.status_code == 400 and "amount" in too_much.json()["field_errors"]
    no_reason = manager.post(f"/api/billing/charges/{one}/credit/", {"amount": "1.00"}, format="json")
    assert "reason" in no_reason.json()["field_errors"]
    assert api("cashier").post(f"/api/billing/charges/{one}/credit/", {"amount": "1", "reason": "x"},
                               format="json").status_code == 403  # fmt: skip
    full = manager.post(
        f"/api/billing/charges/{one}/credit/", {"amount": "200.00", "reason": "免收"}, format="json"
    )
    assert full.status_code == 201
    assert manager.get(f"/api/billing/charges/{one}/").json()["status"] == "settled"


def test_a_deposit_is_charged_paid_and_refunded_with_receipts(api, billed):
    from tests.fees.conftest import create

    steward, cashier = api("steward"), api("cashier")
    card = create(steward, {"project": billed["binhai"].pk, "code": "card", "name": "门禁卡押金",
                            "kind": "card_deposit", "version": {"effective_from": "2026-01-01", "unit_price": "50.00"}})  # fmt: skip
    answer = cashier.post("/api/billing/charges/", {"project": billed["binhai"].pk, "room": billed["flat"].pk,
                                                    "item": card["id"], "customer": billed["owner"].pk}, format="json")  # fmt: skip
    assert answer.status_code == 201, answer.content
    deposit = answer.json()
    assert (deposit["kind"], deposit["amount"], deposit["payer_name"]) == ("deposit", "50.00", "陈业主")
    refund_early = cashier.post(
        f"/api/billing/charges/{deposit['id']}/refund/", {"method": "cash"}, format="json"
    )
    assert refund_early.status_code == 409  # not paid yet
    pay(cashier, billed, [deposit["id"]], "50.00")
    refund = cashier.post(f"/api/billing/charges/{deposit['id']}/refund/", {"method": "cash", "note": "退卡"},
                          format="json")  # fmt: skip
    assert refund.status_code == 201, refund.content
    assert (refund.json()["amount"], refund.json()["receipt"]) == ("-50.00", "BINHAI-2026-000002")
    assert cashier.get(f"/api/billing/charges/{deposit['id']}/").json()["status"] == "refunded"
    assert cashier.post(f"/api/billing/charges/{deposit['id']}/refund/", {"method": "cash"},
                        format="json").status_code == 409  # fmt: skip
    bad = cashier.post("/api/billing/charges/", {"project": billed["binhai"].pk, "room": billed["flat"].pk,
                                                 "item": billed["fee"]["id"]}, format="json")  # fmt: skip
    assert bad.status_code == 400 and "item" in bad.json()["field_errors"]


def test_the_daily_closing_must_balance_and_closes_the_day(api, posted):
    billed, rows = posted
    cashier = api("cashier")
    pay(cashier, billed, [rows["BH-3-1-1502"]["id"]], "254.70")
    pay(cashier, billed, [rows["BH-3-1-0101"]["id"]], "342.00", method="transfer", reference="TR-1")
    pay(api("cashier2"), billed, [rows["BH-5-1-0802"]["id"]], "90.00")  # another cashier's day
    today = cashier.get("/api/billing/closing/", {"project": billed["binhai"].pk}).json()
    assert (
        today["totals"] == {"cash": "254.70", "pos": "0.00", "transfer": "342.00"}
        and today["payment_count"] == 2
    )
    short = cashier.post("/api/billing/closing/", {"project": billed["binhai"].pk,
                         "counted": {"cash": "250.00", "pos": "0", "transfer": "342.00"}}, format="json")  # fmt: skip
    assert short.status_code == 400 and "-4.70" in short.json()["field_errors"]["counted.cash"][0]
    done = cashier.post("/api/billing/closing/", {"project": billed["binhai"].pk,
                        "counted": {"cash": "254.70", "pos": "0.00", "transfer": "342.00"}}, format="json")  # fmt: skip
    assert done.status_code == 201 and done.json()["payment_count"] == 2
    late = pay(cashier, billed, [rows["BH-5-1-0802"]["id"]], "10.00", status=400)
    assert "method" in late["field_errors"]  # the day is closed
    twice = cashier.post(
        "/api/billing/closing/", {"project": billed["binhai"].pk, "counted": {}}, format="json"
    )
    assert twice.status_code == 400
    clock.advance(dt.timedelta(days=1))
    assert pay(cashier, billed, [rows["BH-5-1-0802"]["id"]], "10.00")["business_day"] == "2026-11-28"
