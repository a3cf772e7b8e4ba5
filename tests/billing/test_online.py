"""Online payment through WeChat Pay v3 (the local v3 server of tests/payments): an order for
chosen bills, the signed notification delivered twice and twenty times at once (paid once), the
order query racing the notification, tampered or unknown notifications refused and logged, and
the offline default of embedded mode."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from tests.payments.conftest import v3_keys, v3_server, wechat_server  # noqa: F401 (fixtures)
from webapp.billing.models import Allocation, Charge, Payment, PaymentNotice, PaymentOrder

from .conftest import bills, pay, run_and_post

NOTIFY = "/api/payments/wechat/notify/"


@pytest.fixture
def online(api, billed, wechat_server, settings):  # noqa: F811
    settings.ANJU_PUBLIC_URL = "https://wuye.anju.example"
    run_and_post(api("steward"), billed, "2026-11")
    rows = {r["room_code"]: r for r in bills(api("cashier"), billed)}
    return billed, rows, wechat_server


def order_for(api, billed, ids, status=201):
    answer = api("cashier").post("/api/billing/orders/", {"project": billed["binhai"].pk, "charges": ids},
                                 format="json")  # fmt: skip
    assert answer.status_code == status, answer.content
    return answer.json()


def deliver(server, out_trade_no, tamper=False):
    headers, body = server.notification(out_trade_no, tamper=tamper)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return Client().post(NOTIFY, data=body, content_type="application/json", **extra)


def test_a_resident_pays_part_at_the_desk_and_the_rest_online(api, online):
    billed, rows, server = online
    flat = rows["BH-3-1-1502"]["id"]
    pay(api("cashier"), billed, [flat], "100.00")  # 154.70 left
    order = order_for(api, billed, [flat, rows["BH-5-1-0802"]["id"]])
    assert order["amount"] == "344.70" and order["code_url"].startswith("weixin://")
    assert server.orders[order["out_trade_no"]].total == 34470
    # the desk leaves bills alone while they are being paid online
    assert pay(api("cashier2"), billed, [flat], "1.00", status=409)
    server.pay(order["out_trade_no"])
    first = deliver(server, order["out_trade_no"])
    second = deliver(server, order["out_trade_no"])  # WeChat repeats its notifications
    assert (first.status_code, second.status_code) == (200, 200) and first.json()["code"] == "SUCCESS"
    paid = PaymentOrder.objects.get(out_trade_no=order["out_trade_no"])
    assert (
        paid.status == "paid" and paid.payment.method == "wechat" and paid.payment.amount == Decimal("344.70")
    )
    assert Charge.objects.get(pk=flat).status == "paid"
    assert Payment.objects.filter(method="wechat").count() == 1
    assert list(PaymentNotice.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "applied",
        "duplicate",
    ]
    synced = api("cashier").post(f"/api/billing/orders/{order['id']}/sync/").json()
    assert synced["status"] == "paid"


def test_the_order_query_may_come_first(api, online):
    billed, rows, server = online
    order = order_for(api, billed, [rows["BH-3-1-0101"]["id"]])
    assert api("cashier").post(f"/api/billing/orders/{order['id']}/sync/").json()["status"] == "created"
    server.pay(order["out_trade_no"])
    assert api("cashier").post(f"/api/billing/orders/{order['id']}/sync/").json()["status"] == "paid"
    assert deliver(server, order["out_trade_no"]).status_code == 200
    assert Payment.objects.count() == 1 and Allocation.objects.get().amount == Decimal("342.00")


def test_bad_notifications_are_refused_and_logged(api, online):
    billed, rows, server = online
    order = order_for(api, billed, [rows["BH-3-1-0101"]["id"]])
    server.pay(order["out_trade_no"])
    tampered = deliver(server, order["out_trade_no"], tamper=True)
    assert tampered.status_code == 400 and tampered.json()["code"] == "FAIL"
    garbage = Client().post(NOTIFY, data=b"{not json", content_type="application/json")
    assert garbage.status_code == 400
    assert Client().post(NOTIFY, data=json.dumps([1]), content_type="application/json").status_code == 400
    assert PaymentOrder.objects.get(pk=order["id"]).status == "created" and Payment.objects.count() == 0
    assert PaymentNotice.objects.filter(outcome="refused").count() == 3
    resource = {**server.transaction(server.orders[order["out_trade_no"]]), "out_trade_no": "AJNOSUCHORDER01"}
    headers, body = server.notification(order["out_trade_no"], resource=resource)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    unknown = Client().post(NOTIFY, data=body, content_type="application/json", **extra)
    assert unknown.status_code == 400 and unknown.json()["code"] == "FAIL"  # not one of ours: refused
    assert PaymentNotice.objects.filter(outcome="unknown_order", out_trade_no="AJNOSUCHORDER01").count() == 1
    paid = server.transaction(server.orders[order["out_trade_no"]])
    short = {**paid, "amount": {**paid["amount"], "total": 100, "payer_total": 100}}  # 1.00 of 342.00
    headers, body = server.notification(order["out_trade_no"], resource=short)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    assert Client().post(NOTIFY, data=body, content_type="application/json", **extra).status_code == 400
    assert PaymentNotice.objects.filter(outcome="mismatch").count() == 1
    assert Payment.objects.count() == 0


def test_embedded_mode_is_offline_and_says_so(api, billed):
    run_and_post(api("steward"), billed, "2026-11")
    one = bills(api("cashier"), billed)[0]["id"]
    answer = order_for(api, billed, [one], status=400)
    assert "前台" in answer["field_errors"]["charges"][0] or "desk" in answer["field_errors"]["charges"][0]
    assert Client().post(NOTIFY, data=b"{}", content_type="application/json").status_code == 400


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers: PostgreSQL")
def test_twenty_notifications_at_once_pay_the_order_once(api, online):
    billed, rows, server = online
    order = order_for(api, billed, [rows["BH-3-1-1502"]["id"], rows["BH-3-1-0101"]["id"]])
    server.pay(order["out_trade_no"])
    notes = [server.notification(order["out_trade_no"]) for _ in range(20)]
    barrier = threading.Barrier(20)
    codes: list[int] = []

    def send(headers, body):
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        barrier.wait()
        codes.append(Client().post(NOTIFY, data=body, content_type="application/json", **extra).status_code)
        connection.close()

    threads = [threading.Thread(target=send, args=note) for note in notes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 20
    assert Payment.objects.filter(method="wechat").count() == 1
    assert Allocation.objects.filter(payment__method="wechat").count() == 2
    assert PaymentNotice.objects.filter(outcome="applied").count() == 1
    assert PaymentNotice.objects.filter(outcome="duplicate").count() == 19
    assert {
        c.status for c in Charge.objects.filter(pk__in=[rows["BH-3-1-1502"]["id"], rows["BH-3-1-0101"]["id"]])
    } == {"paid"}


def test_a_refused_order_frees_its_bills(api, online):
    billed, rows, server = online
    one = rows["BH-3-1-0101"]["id"]
    server.fail_next = (500, "SYSTEM_ERROR", "系统错误")
    refused = order_for(api, billed, [one], status=400)
    assert "系统错误" in refused["field_errors"]["charges"][0]
    assert PaymentOrder.objects.get().status == "closed"
    assert pay(api("cashier"), billed, [one], "342.00")["amount"] == "342.00"  # the desk may take it
