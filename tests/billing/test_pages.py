"""Billing staff pages (webapp/billing/views.py): runs, bills, the desk, receipts and the daily
closing, through the HTML forms as the cast uses them: steward 钱进 runs and posts, cashier 许静
takes the money, manager 蒋涛 issues credit notes; engineer 王强 gets a 403, outsider 马克 a 404."""

from __future__ import annotations

from typing import Any

import pytest

from webapp.billing.models import Charge, ChargeStatus, Payment, PaymentOrder

from .conftest import bills, compute, pay, run_and_post, start_run


@pytest.fixture
def posted(api: Any, billed: dict[str, Any]) -> dict[str, Any]:
    """November posted: 1502 owes 254.70 (陈业主), 0101 342.00, 5栋0802 190.00."""
    run_and_post(api("steward"), billed, "2026-11")
    billed["flat_bill"] = next(b for b in bills(api("steward"), billed) if b["room_code"] == "BH-3-1-1502")
    return billed


def desk_url(place: dict[str, Any]) -> str:
    return f"/billing/desk/?project={place['binhai'].pk}&room={place['flat'].pk}"


def desk_pay(client: Any, place: dict[str, Any], amount: str, **extra: Any) -> Any:
    body = {"project": place["binhai"].pk, "room": place["flat"].pk, "charges": [place["flat_bill"]["id"]],
            "amount": amount, "method": "cash", **extra}  # fmt: skip
    return client.post("/billing/desk/", body)


def test_the_pages_render_for_the_steward_and_the_cashier(web, api, billed):
    steward, cashier = web("steward"), web("cashier")
    project = billed["binhai"].pk
    run = compute(api("steward"), start_run(api("steward"), billed, "2026-11"))
    page = steward.get(f"/billing/runs/?project={project}")
    assert page.status_code == 200 and b'id="run-start-form"' in page.content and b"2026-11" in page.content
    preview = steward.get(f"/billing/runs/{run['id']}/").content.decode()
    assert 'id="run-post"' in preview and "786.70" in preview and "BH-3-1-1503" in preview  # the problem row
    assert "收费面积" in preview and 'id="run-line-table"' in preview
    steward.post(f"/billing/runs/{run['id']}/post/")
    listing = steward.get(f"/billing/bills/?project={project}&q=1502").content.decode()
    assert "254.70" in listing and "BH-3-1-0101" not in listing and 'id="bill-filters"' in listing
    assert (
        "342.00"
        in steward.get(f"/billing/bills/?project={project}&customer=陈业主&status=open").content.decode()
    )
    assert (
        'id="no-bills"' in steward.get(f"/billing/bills/?project={project}&period=2026-10").content.decode()
    )
    assert steward.get(f"/billing/rooms/{billed['flat'].pk}/").status_code == 200
    nav = steward.get("/billing/bills/").content.decode()
    assert 'id="nav-bills"' in nav and 'id="nav-desk"' not in nav  # the steward is no cashier

    found = cashier.get(f"/billing/desk/?project={project}&q=陈业主").content.decode()
    assert "BH-3-1-1502" in found and "BH-3-1-0101" in found and 'id="nav-desk"' in found
    desk = cashier.get(desk_url(billed)).content.decode()
    assert 'id="desk-pay-form"' in desk and 'value="254.70"' in desk  # the amount defaults to the total
    assert 'id="desk-online-off"' in desk  # embedded mode: no online payment, the backend says so
    closing = cashier.get(f"/billing/closing/?project={project}")
    assert closing.status_code == 200 and b'id="closing-form"' in closing.content


def test_a_run_is_started_posted_and_discarded_from_its_pages(web, billed):
    from webapp.billing.models import BillingRun
    from webapp.billing.runs import compute_run

    steward = web("steward")
    project = billed["binhai"].pk
    bad = steward.post("/billing/runs/", {"project": project, "period": "2026-13"})
    assert bad.status_code == 400 and b"id_period-error" in bad.content
    started = steward.post("/billing/runs/", {"project": project, "period": "2026-11"})
    run = BillingRun.objects.get(project=billed["binhai"])
    assert started.status_code == 302 and started.url == f"/billing/runs/{run.pk}/"
    compute_run(run.pk)  # a no-op when the test's commit ran it already
    BillingRun.objects.filter(pk=run.pk).update(status="running", done_rooms=3)  # as seen while it computes
    computing = steward.get(started.url).content.decode()
    assert 'id="run-progress"' in computing and "billing/run_progress.js" in computing and "50%" in computing
    BillingRun.objects.filter(pk=run.pk).update(status="preview", done_rooms=6)
    assert steward.post(f"/billing/runs/{run.pk}/discard/").status_code == 302
    assert Charge.objects.filter(run=run).count() == 0
    again = steward.post(f"/billing/runs/{run.pk}/post/")
    assert again.status_code == 400 and b'id="run-errors"' in again.content


def test_the_desk_takes_a_part_payment_and_shows_the_receipt(web, posted):
    cashier = web("cashier")
    answer = desk_pay(cashier, posted, "100.00", payer_name="陈先生")
    payment = Payment.objects.get()
    assert answer.status_code == 302 and answer.url == f"/billing/payments/{payment.pk}/"
    receipt = cashier.get(answer.url).content.decode()
    assert "BINHAI-2026-000001" in receipt and "陈先生" in receipt and "100.00" in receipt
    assert "许静" in receipt and "现金" in receipt and "物业费" in receipt and "2026-11" in receipt
    bill = Charge.objects.get(pk=posted["flat_bill"]["id"])
    assert (bill.paid, bill.status) == (100, ChargeStatus.OPEN)
    desk = cashier.get(desk_url(posted)).content.decode()
    assert 'value="154.70"' in desk  # what is left


def test_a_bad_amount_shows_the_field_error_and_saves_nothing(web, posted):
    cashier = web("cashier")
    for amount, words in (("abc", ""), ("300.00", "254.70"), ("0", "")):
        answer = desk_pay(cashier, posted, amount, note="留着")
        page = answer.content.decode()
        assert answer.status_code == 400, amount
        assert 'id="id_amount-error"' in page and 'is-invalid" id="id_amount"' in page and words in page
        assert f'value="{amount}"' in page and 'value="留着"' in page  # what was typed stays
    no_reference = desk_pay(cashier, posted, "10.00", method="pos")
    assert no_reference.status_code == 400 and b'id="id_reference-error"' in no_reference.content
    assert Payment.objects.count() == 0


def test_a_bill_paid_meanwhile_is_a_conflict_with_nothing_lost(web, api, posted):
    pay(api("cashier2"), posted, [posted["flat_bill"]["id"]], "254.70")
    answer = desk_pay(web("cashier"), posted, "254.70", note="留着")
    assert answer.status_code == 409
    assert b'id="desk-conflict"' in answer.content and 'value="留着"'.encode() in answer.content
    assert Payment.objects.count() == 1


def test_a_deposit_is_charged_paid_and_refunded_at_the_desk(web, api, posted):
    from tests.fees.conftest import create

    card = create(api("steward"), {"project": posted["binhai"].pk, "code": "card", "name": "门禁卡押金",
                                   "kind": "card_deposit", "version": {"effective_from": "2026-01-01", "unit_price": "50.00"}})  # fmt: skip
    cashier = web("cashier")
    charged = cashier.post("/billing/desk/charge/", {"room": posted["flat"].pk, "item": card["id"],
                                                     "customer": posted["owner"].pk})  # fmt: skip
    assert charged.status_code == 302 and charged.url == desk_url(posted)
    deposit = Charge.objects.get(item_id=card["id"])
    bad = cashier.post("/billing/desk/charge/", {"room": posted["flat"].pk, "item": posted["fee"]["id"]})
    assert bad.status_code == 400 and b'id="id_item-error"' in bad.content
    paid = cashier.post("/billing/desk/", {"room": posted["flat"].pk, "charges": [deposit.pk], "amount": "50",
                                           "method": "cash"})  # fmt: skip
    assert paid.status_code == 302
    assert f'id="refund-form-{deposit.pk}"' in cashier.get(desk_url(posted)).content.decode()
    refunded = cashier.post(f"/billing/bills/{deposit.pk}/refund/", {"method": "cash", "note": "退卡"})
    refund = Payment.objects.get(amount__lt=0)
    assert refunded.status_code == 302 and refunded.url == f"/billing/payments/{refund.pk}/"
    receipt = cashier.get(refunded.url).content.decode()
    assert "退款" in receipt and "BINHAI-2026-000002" in receipt and "50.00" in receipt
    again = cashier.post(f"/billing/bills/{deposit.pk}/refund/", {"method": "cash"})
    assert again.status_code == 409 and b'id="desk-room"' in again.content


def test_the_manager_issues_a_credit_note_from_the_rooms_page(web, posted):
    manager, bill = web("pm_manager"), posted["flat_bill"]["id"]
    page = manager.get(f"/billing/rooms/{posted['flat'].pk}/").content.decode()
    assert f'id="credit-form-{bill}"' in page
    assert (
        f'id="credit-form-{bill}"'
        not in web("cashier").get(f"/billing/rooms/{posted['flat'].pk}/").content.decode()
    )
    no_reason = manager.post(f"/billing/bills/{bill}/credit/", {"amount": "10.00", "reason": ""})
    assert no_reason.status_code == 400 and b'id="credit-reason-error"' in no_reason.content
    done = manager.post(f"/billing/bills/{bill}/credit/", {"amount": "10.00", "reason": "面积复核"})
    assert done.status_code == 302
    assert Charge.objects.get(pk=bill).credited == 10
    assert (
        web("cashier").post(f"/billing/bills/{bill}/credit/", {"amount": "1", "reason": "x"}).status_code
        == 403
    )


def test_the_daily_closing_balances_per_method(web, posted):
    cashier, project = web("cashier"), posted["binhai"].pk
    desk_pay(cashier, posted, "100.00")
    short = cashier.post("/billing/closing/", {"project": project, "counted_cash": "90.00"})
    assert short.status_code == 400
    page = short.content.decode()
    assert 'id="id_counted-error"' in page and "-10.00" in page and 'value="90.00"' in page
    closed = cashier.post("/billing/closing/", {"project": project, "counted_cash": "100.00"})
    assert closed.status_code == 302
    assert b'id="closing-done"' in cashier.get(closed.url).content
    later = desk_pay(cashier, posted, "10.00")
    assert later.status_code == 400 and b'id="id_method-error"' in later.content  # the day is closed


class FakeWeChat:
    """The payment adapter's boundary: an online backend that answers as WeChat Pay would."""

    name, online = "wechatpay", True
    paid = False

    def describe(self) -> str:
        return "微信扫码支付"

    def create_native_order(self, request: Any) -> Any:
        from webapp.payments.backends import OrderCreated

        self.amount_fen = request.amount_fen
        return OrderCreated(request.out_trade_no, "weixin://wxpay/bizpayurl?pr=AbCdEf1")

    def query_order(self, out_trade_no: str) -> Any:
        from webapp.payments.backends import OrderState

        if not self.paid:
            return OrderState(out_trade_no, "NOTPAY")
        return OrderState(out_trade_no, "SUCCESS", "4200001", self.amount_fen)


def test_online_payment_shows_the_qr_code_and_its_receipt_once_paid(web, posted, monkeypatch):
    from webapp.payments import backends

    fake = FakeWeChat()
    monkeypatch.setattr(backends, "get_backend", lambda: fake)
    cashier = web("cashier")
    assert b'id="desk-online"' in cashier.get(desk_url(posted)).content
    created = cashier.post("/billing/orders/", {"room": posted["flat"].pk, "charges": [posted["flat_bill"]["id"]]},
                           secure=True)  # fmt: skip
    order = PaymentOrder.objects.get()
    assert created.status_code == 302 and created.url == f"/billing/orders/{order.pk}/"
    page = cashier.get(created.url).content.decode()
    assert 'id="order-qr"' in page and "<svg" in page and "254.70" in page
    waiting = cashier.post(f"/billing/orders/{order.pk}/sync/")
    assert waiting.status_code == 302 and waiting.url == created.url
    fake.paid = True
    paid = cashier.post(f"/billing/orders/{order.pk}/sync/")
    payment = Payment.objects.get()
    assert paid.status_code == 302 and paid.url == f"/billing/payments/{payment.pk}/"
    assert "微信支付" in cashier.get(paid.url).content.decode()


def test_online_payment_is_refused_in_embedded_mode(web, posted):
    answer = web("cashier").post("/billing/orders/", {"room": posted["flat"].pk,
                                                      "charges": [posted["flat_bill"]["id"]]})  # fmt: skip
    assert answer.status_code == 400 and b'id="form-errors"' in answer.content
    assert PaymentOrder.objects.count() == 0


def test_who_may_open_the_billing_pages(web, api, posted):
    payment = pay(api("cashier"), posted, [posted["flat_bill"]["id"]], "10.00")
    run = posted["binhai"].billing_runs.get()
    engineer, outsider, steward = web("engineer"), web("outsider"), web("steward")
    for url in ("/billing/bills/", "/billing/desk/", "/billing/runs/", "/billing/closing/",
                f"/billing/payments/{payment['id']}/"):  # fmt: skip
        assert engineer.get(url).status_code == 403, url
    assert steward.get("/billing/desk/").status_code == 403  # bills and runs, no money
    assert desk_pay(steward, posted, "1.00").status_code == 403
    assert (
        web("cashier")
        .post("/billing/runs/", {"project": posted["binhai"].pk, "period": "2026-11"})
        .status_code
        == 403
    )
    for url in (f"/billing/payments/{payment['id']}/", f"/billing/runs/{run.pk}/", f"/billing/rooms/{posted['flat'].pk}/",
                f"/billing/bills/?project={posted['binhai'].pk}"):  # fmt: skip
        assert outsider.get(url).status_code == 404, url
    assert steward.get(f"/billing/payments/{payment['id']}/").status_code == 200
    assert web(None).get("/billing/desk/").status_code == 302  # to the login page
