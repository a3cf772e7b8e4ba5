"""缴费 in the owner's channel: my bills and arrears, the due-date warning, paying last month's bill
online (the local WeChat Pay v3 server of tests/payments; the offline default refuses and says
so), the receipt and the payments list; another resident's bills, orders and receipts are 404,
a paid bill is refused with 400 and a second submission pays nothing twice.

The bills: 钱进 (steward) sets up 滨海花园's 物业费 (0.05 %/day late fee, no grace, due after 15
days) and runs and posts October 2026 through the billing API on 2026-11-27 (the frozen clock):
周业主 owns the first room, 吴户主 the second (吴家人 lives there as a household member and pays
nothing), so October has one bill each, due on 2026-12-12.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from engine import clock
from tests.billing.conftest import run_and_post
from tests.payments.conftest import v3_keys, v3_server, wechat_server  # noqa: F401 (fixtures)
from webapp.billing.models import Charge, ChargeKind, ChargeStatus, Payment, PaymentOrder

from .conftest import MEMBER_MOBILE, OWNER_MOBILE, signed_in_client

NOTIFY = "/api/payments/wechat/notify/"


@pytest.fixture
def october(api: Any, residents: dict[str, Any]) -> dict[str, Any]:
    """October's posted bills of 滨海花园 (the owner's and the householder's)."""
    steward = api("steward")
    binhai = residents["owner_rooms"][0].project
    fee = {
        "project": binhai.pk, "code": "wuye", "name": "物业费", "kind": "property",
        "version": {"effective_from": "2026-01-01", "unit_price": "2.85", "late_fee_daily_rate": "0.05",
                    "late_fee_grace_days": 0, "late_fee_cap_percent": "100", "due_days": 15},
    }  # fmt: skip
    created = steward.post("/api/fees/items/", fee, format="json")
    assert created.status_code == 201, created.content
    run_and_post(steward, {"binhai": binhai}, "2026-10")
    mine = Charge.objects.get(room=residents["owner_rooms"][0], period="2026-10")
    theirs = Charge.objects.get(room=residents["member_room"], period="2026-10")
    assert (mine.customer_id, mine.due_on) == (residents["owner"].pk, dt.date(2026, 12, 12))
    return {**residents, "binhai": binhai, "mine": mine, "theirs": theirs}


@pytest.fixture
def online(october: dict[str, Any], wechat_server: Any, settings: Any) -> dict[str, Any]:  # noqa: F811
    settings.ANJU_PUBLIC_URL = "https://wuye.anju.example"  # where WeChat Pay notifies (https)
    return {**october, "server": wechat_server}


def test_the_resident_sees_their_bills_and_arrears(october):
    mine, theirs = october["mine"], october["theirs"]
    page = signed_in_client(OWNER_MOBILE).get("/my/bills/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-charge="{mine.pk}"' in body and 'data-period="2026-10"' in body
    assert f'data-amount="{mine.amount}"' in body and f"¥{mine.amount}" in body  # the arrears
    assert "2026-12-12" in body and f'data-charge="{theirs.pk}"' not in body
    # embedded mode: no online payment, the page says so and offers no ticks
    assert 'id="pay-offline"' in body and 'name="charges"' not in body
    # the household member pays nothing: 吴户主 is billed for their room
    member = signed_in_client(MEMBER_MOBILE).get("/my/bills/").content.decode()
    assert 'id="no-bills"' in member and f'data-charge="{theirs.pk}"' not in member


def test_offline_backend_refuses_online_payment_and_says_so(october):
    client = signed_in_client(OWNER_MOBILE)
    answer = client.post("/my/bills/pay/", {"charges": [october["mine"].pk]})
    assert answer.status_code == 400
    assert "前台" in answer.content.decode()  # 请到前台缴费
    assert not PaymentOrder.objects.exists()


def test_the_warning_shows_for_a_bill_due_within_n_days(october, settings):
    mine = october["mine"]
    client = signed_in_client(OWNER_MOBILE)
    assert 'id="due-warnings"' not in client.get("/my/bills/").content.decode()  # due in 15 days
    clock.advance(dt.timedelta(days=10))  # 2026-12-07: due in 5 days, within the default 7
    body = client.get("/my/bills/").content.decode()
    daily = (mine.amount * Decimal("0.05") / 100).quantize(Decimal("0.01"))
    assert f'data-warning="{mine.pk}"' in body and "2026-12-13" in body and f"¥{daily}" in body
    settings.ANJU_OWNER_DUE_WARNING_DAYS = 3
    assert 'id="due-warnings"' not in client.get("/my/bills/").content.decode()


def test_an_overdue_bill_shows_its_late_fee_and_is_paid_with_it(online):
    from webapp.billing import late_fees

    mine, server = online["mine"], online["server"]
    clock.advance(dt.timedelta(days=30))  # 2026-12-27: late since 12-13
    late_fees.accrue_all()
    fee = Charge.objects.get(principal=mine, kind=ChargeKind.LATE_FEE)
    client = signed_in_client(OWNER_MOBILE)
    body = client.get("/my/bills/").content.decode()
    assert f'data-late-fee="{fee.pk}"' in body and f"¥{fee.amount}" in body and 'id="bills-late-fees"' in body
    answer = client.post("/my/bills/pay/", {"charges": [mine.pk]})
    assert answer.status_code == 302, answer.content.decode()[:800]
    order = PaymentOrder.objects.get()
    assert sorted(order.lines.values_list("charge_id", flat=True)) == sorted([mine.pk, fee.pk])
    server.pay(order.out_trade_no)
    assert 'data-status="paid"' in client.get(answer["Location"]).content.decode()
    assert {c.status for c in Charge.objects.filter(pk__in=[mine.pk, fee.pk])} == {ChargeStatus.PAID}


def test_the_resident_pays_last_months_bill_online(online):
    from engine.models import AuditEvent

    mine, server = online["mine"], online["server"]
    client = signed_in_client(OWNER_MOBILE)
    assert f'id="charge-{mine.pk}"' in client.get("/my/bills/").content.decode()
    answer = client.post("/my/bills/pay/", {"charges": [mine.pk]})
    assert answer.status_code == 302, answer.content.decode()[:800]
    order = PaymentOrder.objects.get()
    assert answer["Location"] == f"/my/bills/orders/{order.pk}/"
    assert (order.customer_id, order.payer_name, order.amount) == (online["owner"].pk, "周业主", mine.amount)
    assert order.created_by.username.startswith("owner-app-")  # the channel's account (业主端), no staff
    event = AuditEvent.objects.get(process_key="billing.order")
    assert event.details["customer"] == online["owner"].pk and event.details["mobile"] == OWNER_MOBILE
    assert event.details["charges"] == [mine.pk] and event.actor_name == "周业主（业主端）"
    waiting = client.get(answer["Location"]).content.decode()
    assert 'data-status="created"' in waiting and 'id="order-qr"' in waiting and "<svg" in waiting
    # a second submission (double tap, back button) goes to the same order: nothing charged twice
    again = client.post("/my/bills/pay/", {"charges": [mine.pk]})
    assert again["Location"] == answer["Location"] and PaymentOrder.objects.count() == 1
    server.pay(order.out_trade_no)  # the resident scans and pays
    paid = client.get(answer["Location"]).content.decode()  # the page asks the backend
    assert 'data-status="paid"' in paid and 'id="order-receipt"' in paid
    payment = Payment.objects.get()
    assert Charge.objects.get(pk=mine.pk).status == ChargeStatus.PAID
    # WeChat's own notification comes later: a duplicate, nothing recorded twice
    headers, raw = server.notification(order.out_trade_no)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    assert Client().post(NOTIFY, data=raw, content_type="application/json", **extra).status_code == 200
    assert Payment.objects.count() == 1
    history = client.get("/my/payments/").content.decode()
    assert f'data-payment="{payment.pk}"' in history and payment.receipt.code in history
    receipt = client.get(f"/my/payments/{payment.pk}/").content.decode()
    assert (
        payment.receipt.code in receipt
        and f"¥{mine.amount}" in receipt
        and f'data-charge="{mine.pk}"' in receipt
    )
    # paying it again: refused with a clear message, nothing created
    refused = client.post("/my/bills/pay/", {"charges": [mine.pk]})
    assert refused.status_code == 400 and 'id="pay-errors"' in refused.content.decode()
    assert PaymentOrder.objects.count() == 1
    assert 'id="pay-selected"' not in client.get("/my/bills/").content.decode()  # nothing left to pay


def test_another_residents_bills_orders_and_receipts_are_404(online):
    mine, theirs, server = online["mine"], online["theirs"], online["server"]
    owner = signed_in_client(OWNER_MOBILE)
    member = signed_in_client(MEMBER_MOBILE)
    # a bill of a room the member lives in, billed to the householder; another resident's bill
    assert member.post("/my/bills/pay/", {"charges": [theirs.pk]}).status_code == 404
    assert member.post("/my/bills/pay/", {"charges": [mine.pk]}).status_code == 404
    assert owner.post("/my/bills/pay/", {"charges": [theirs.pk]}).status_code == 404
    assert owner.post("/my/bills/pay/", {"charges": [mine.pk, theirs.pk]}).status_code == 404
    assert owner.post("/my/bills/pay/", {"charges": ["²"]}).status_code == 404
    assert owner.post("/my/bills/pay/", {}).status_code == 400
    # a bill billed to the owner for a room they moved out of is not theirs here
    ended = Charge.objects.create(
        company_id=mine.company_id, project=mine.project, room=online["ended_room"], customer=online["owner"],
        payer_name="周业主", item=mine.item, version=mine.version, period="2026-06", amount=Decimal("10.00"),
        issued_on=dt.date(2026, 7, 1), due_on=dt.date(2026, 7, 16), created_at=clock.now(),
    )  # fmt: skip
    assert owner.post("/my/bills/pay/", {"charges": [ended.pk]}).status_code == 404
    assert f'data-charge="{ended.pk}"' not in owner.get("/my/bills/").content.decode()
    assert not PaymentOrder.objects.exists()
    # the owner's order and receipt are the owner's alone
    order_url = owner.post("/my/bills/pay/", {"charges": [mine.pk]})["Location"]
    server.pay(PaymentOrder.objects.get().out_trade_no)
    assert member.get(order_url).status_code == 404
    assert owner.get(order_url).status_code == 200
    payment = Payment.objects.get()
    assert member.get(f"/my/payments/{payment.pk}/").status_code == 404
    assert payment.receipt.code not in member.get("/my/payments/").content.decode()


def test_a_desk_payment_shows_in_my_payments_with_its_receipt(october, cast):
    from webapp.billing.payments import do_desk_payment

    mine = october["mine"]
    payment = do_desk_payment(
        cast["cashier"], mine.project, {"charges": [mine.pk], "amount": "50.00", "method": "cash"}
    )
    client = signed_in_client(OWNER_MOBILE)
    history = client.get("/my/payments/").content.decode()
    assert f'data-payment="{payment.pk}"' in history and "现金" in history
    receipt = client.get(f"/my/payments/{payment.pk}/").content.decode()
    assert payment.receipt.code in receipt and 'id="receipt-amount">¥50.00' in receipt
    assert f"¥{mine.amount - Decimal('50.00')}" in client.get("/my/bills/").content.decode()  # still owed
    assert signed_in_client(MEMBER_MOBILE).get(f"/my/payments/{payment.pk}/").status_code == 404


def test_an_unpaid_order_expires_and_the_bill_can_be_paid_again(online):
    mine = online["mine"]
    client = signed_in_client(OWNER_MOBILE)
    first = client.post("/my/bills/pay/", {"charges": [mine.pk]})["Location"]
    clock.advance(dt.timedelta(minutes=16))  # billing's orders live 15 minutes
    expired = client.get(first).content.decode()
    assert 'id="order-closed"' in expired and 'id="order-qr"' not in expired and "refresh" not in expired
    second = client.post("/my/bills/pay/", {"charges": [mine.pk]})["Location"]
    assert second != first and PaymentOrder.objects.count() == 2
