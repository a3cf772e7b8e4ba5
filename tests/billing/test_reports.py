"""费用统计与报表 through the API, the pages and the exports: receivable / received / arrears by
month, building, room and bill, the collection rate, aged arrears, deposits held and the cashier's
journal, to the fen, each total checked against a plain SQL sum of the bills or the payments.

The story (the clock starts on 2026-11-27, Asia/Shanghai):
- 2026-11-27: October is billed (1502: 254.70, 0101: 342.00, due 2026-12-12). 许静 takes 1502's
  254.70 in cash, 冯丹 100.00 of 0101's by POS, 蒋涛 credits 42.00 of 0101's; a door-card deposit
  of 50.00 is paid for 1502 (held) and one for 0802 is paid and refunded. 许静 closes her day.
- 2026-12-27: November is billed (1502: 254.70, 0101: 342.00, 0802: 190.00, due 2027-01-11);
  0802's is paid by transfer.
- 2027-02-25 (today): a deposit for 0101 is charged and left unpaid (period 2027-02, due today).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.db.models import Sum

from engine import clock
from tests.fees.conftest import create
from webapp.billing.models import Charge, CreditNote, Payment

from .conftest import pay, run_and_post

D = Decimal


def _post_charge(
    client: Any, place: dict[str, Any], room: Any, item: int, customer: Any = None
) -> dict[str, Any]:
    body = {"project": place["binhai"].pk, "room": room.pk, "item": item}
    if customer is not None:
        body["customer"] = customer.pk
    response = client.post("/api/billing/charges/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _rooms(run: dict[str, Any]) -> dict[str, int]:
    return {c.room.code: c.pk for c in Charge.objects.filter(run_id=run["id"]).select_related("room")}


@pytest.fixture
def story(api: Any, billed: dict[str, Any]) -> dict[str, Any]:
    steward, cashier, cashier2, manager = api("steward"), api("cashier"), api("cashier2"), api("pm_manager")
    project = billed["binhai"].pk
    october = _rooms(run_and_post(steward, billed, "2026-10"))
    assert set(october) == {"BH-3-1-1502", "BH-3-1-0101"}
    pay(cashier, billed, [october["BH-3-1-1502"]], "254.70")
    pay(cashier2, billed, [october["BH-3-1-0101"]], "100.00", method="pos", reference="POS-1")
    credit = manager.post(f"/api/billing/charges/{october['BH-3-1-0101']}/credit/",
                          {"amount": "42.00", "reason": "面积更正"}, format="json")  # fmt: skip
    assert credit.status_code == 201, credit.content
    card = create(steward, {"project": project, "code": "card", "name": "门禁卡押金", "kind": "card_deposit",
                            "version": {"effective_from": "2026-01-01", "unit_price": "50.00"}})  # fmt: skip
    held = _post_charge(cashier, billed, billed["flat"], card["id"], billed["owner"])
    pay(cashier, billed, [held["id"]], "50.00")
    given_back = _post_charge(cashier, billed, billed["b5_flat"], card["id"], billed["owner"])
    pay(cashier, billed, [given_back["id"]], "50.00")
    refund = cashier.post(
        f"/api/billing/charges/{given_back['id']}/refund/", {"method": "cash"}, format="json"
    )
    assert refund.status_code == 201, refund.content
    closing = cashier.post("/api/billing/closing/", {"project": project,
                           "counted": {"cash": "304.70", "pos": "0.00", "transfer": "0.00"}}, format="json")  # fmt: skip
    assert closing.status_code == 201, closing.content

    clock.advance(dt.timedelta(days=30))
    november = _rooms(run_and_post(steward, billed, "2026-11"))
    pay(cashier, billed, [november["BH-5-1-0802"]], "190.00", method="transfer", reference="TR-9")

    clock.advance(dt.timedelta(days=60))
    unpaid = _post_charge(cashier, billed, billed["shop"], card["id"])
    return {**billed, "october": october, "november": november, "card": card, "held": held, "unpaid": unpaid}


def get(client: Any, place: dict[str, Any], what: str, status: int = 200, **params: Any) -> dict[str, Any]:
    response = client.get(f"/api/billing/reports/{what}/", {"project": place["binhai"].pk, **params})
    assert response.status_code == status, response.content
    return response.json()


def figures(row: dict[str, Any]) -> tuple[str, str, str, str | None]:
    return row["receivable"], row["received"], row["arrears"], row["collection_rate"]


RANGE = {"from": "2026-10", "to": "2026-11"}


def test_receivable_received_and_arrears_by_month_building_room_and_bill(api, story):
    steward = api("steward")
    data = get(steward, story, "summary", **RANGE)
    assert figures(data["total"]) == ("1391.40", "594.70", "796.70", "42.7")
    assert data["total"]["refunded"] == "50.00"
    months = {m["key"]: m for m in data["months"]}
    # October: 254.70 + (342.00 − 42.00 credited); 254.70 + 100.00 taken; 63.94 % → 63.9
    assert figures(months["2026-10"]) == ("554.70", "354.70", "200.00", "63.9")
    # November: the bills (786.70) and the deposit kept (50.00; the refunded one counts neither way)
    assert figures(months["2026-11"]) == ("836.70", "240.00", "596.70", "28.7")
    buildings = {b["name"]: b for b in data["buildings"]}
    assert figures(buildings["3栋"]) == ("1201.40", "404.70", "796.70", "33.7")
    assert figures(buildings["5栋"]) == ("190.00", "190.00", "0.00", "100.0")
    assert buildings["5栋"]["refunded"] == "50.00"

    rooms = {r["name"]: r for r in get(steward, story, "summary", building=story["b3"].pk, **RANGE)["rooms"]}
    assert set(rooms) == {"BH-3-1-1502", "BH-3-1-0101"}
    assert figures(rooms["BH-3-1-1502"]) == ("559.40", "304.70", "254.70", "54.5")
    assert figures(rooms["BH-3-1-0101"]) == ("642.00", "100.00", "542.00", "15.6")

    room = get(steward, story, "summary", room=story["shop"].pk, **RANGE)
    assert room["building"] == story["b3"].pk and figures(room["total"]) == (
        "642.00",
        "100.00",
        "542.00",
        "15.6",
    )
    assert [
        (b["period"], b["amount"], b["credited"], b["paid"], b["arrears"], b["status"]) for b in room["bills"]
    ] == [
        ("2026-11", "342.00", "0.00", "0.00", "342.00", "open"),
        ("2026-10", "342.00", "42.00", "100.00", "200.00", "open"),
    ]  # the unpaid deposit of February is outside the months

    # the totals are the plain sums of the tables
    posted = Charge.objects.filter(project=story["binhai"], period__in=["2026-10", "2026-11"]).exclude(
        status="draft"
    )
    assert D(data["total"]["receivable"]) == (
        posted.aggregate(s=Sum("amount"))["s"] - CreditNote.objects.filter(charge__project=story["binhai"])
        .aggregate(s=Sum("amount"))["s"] - posted.filter(status="refunded").aggregate(s=Sum("paid"))["s"]
    )  # fmt: skip
    assert (
        D(data["total"]["received"])
        == Payment.objects.filter(project=story["binhai"]).aggregate(s=Sum("amount"))["s"]
    )
    assert D(data["total"]["arrears"]) == sum(c.balance for c in posted.filter(status="open"))
    assert sum(D(m["receivable"]) for m in data["months"]) == D(data["total"]["receivable"])
    assert sum(D(b["arrears"]) for b in data["buildings"]) == D(data["total"]["arrears"])


def test_the_default_months_and_months_without_bills(api, story):
    data = get(api("cashier"), story, "summary")
    assert (data["from"], data["to"]) == ("2026-03", "2027-02")  # the last twelve months
    months = {m["key"]: m for m in data["months"]}
    assert len(months) == 12 and figures(months["2026-12"]) == ("0.00", "0.00", "0.00", None)
    assert figures(months["2027-02"]) == ("50.00", "0.00", "50.00", "0.0")


def test_aged_arrears_move_with_the_clock(api, story):
    steward = api("steward")
    data = get(steward, story, "aging")
    assert data["day"] == "2027-02-25"
    total = data["total"]
    # 0101's October balance is 75 days late, the November bills 45; the deposit is due today
    assert (total["not_due"], total["d1_30"], total["d31_60"], total["d61_90"], total["d91_180"],
            total["d180_plus"], total["total"]) == ("50.00", "0.00", "596.70", "200.00", "0.00", "0.00", "846.70")  # fmt: skip
    rooms = {r["name"]: r for r in data["rooms"]}
    assert [r["name"] for r in data["rooms"]] == ["BH-3-1-0101", "BH-3-1-1502"]  # the largest first
    assert (rooms["BH-3-1-0101"]["total"], rooms["BH-3-1-1502"]["d31_60"]) == ("592.00", "254.70")
    open_sum = sum(c.balance for c in Charge.objects.filter(project=story["binhai"], status="open"))
    assert D(total["total"]) == open_sum

    clock.advance(dt.timedelta(days=120))
    later = get(steward, story, "aging")["total"]
    assert (later["not_due"], later["d91_180"], later["d180_plus"]) == ("0.00", "646.70", "200.00")


def test_deposits_held(api, story):
    data = get(api("cashier"), story, "deposits")
    assert (data["total"], data["count"]) == ("50.00", 1)  # the refunded and the unpaid do not count
    assert [(r["room_code"], r["customer_name"], r["held"]) for r in data["rows"]] == [
        ("BH-3-1-1502", "陈业主", "50.00")
    ]
    held = Charge.objects.filter(project=story["binhai"], kind="deposit", status="paid").aggregate(
        s=Sum("paid")
    )
    assert D(data["total"]) == held["s"]


def test_the_cashiers_journal_of_a_day(api, story, cast):
    data = get(api("pm_manager"), story, "journal", day="2026-11-27")
    assert (data["total"], data["count"]) == ("404.70", 5)
    assert data["methods"] == {"cash": "304.70", "pos": "100.00", "transfer": "0.00", "wechat": "0.00"}
    cashiers = {c["name"]: c for c in data["cashiers"]}
    xu, feng = cashiers[str(cast["cashier"])], cashiers[str(cast["cashier2"])]
    assert (xu["total"], xu["count"], xu["closed"]) == ("304.70", 4, True)
    assert (feng["methods"]["pos"], feng["count"], feng["closed"]) == ("100.00", 1, False)
    amounts = [p["amount"] for p in data["payments"]]
    assert amounts == ["254.70", "100.00", "50.00", "50.00", "-50.00"]
    assert [p["receipt"] for p in data["payments"]] == [f"BINHAI-2026-{n:06d}" for n in range(1, 6)]
    assert data["payments"][-1]["refund"] is True
    day = Payment.objects.filter(project=story["binhai"], business_day=dt.date(2026, 11, 27))
    assert D(data["total"]) == day.aggregate(s=Sum("amount"))["s"]
    only = get(api("pm_manager"), story, "journal", day="2026-11-27", cashier=cast["cashier2"].pk)
    assert (only["total"], only["count"]) == ("100.00", 1)
    assert get(api("pm_manager"), story, "journal")["count"] == 0  # today (2027-02-25): nothing yet


def test_the_xlsx_and_csv_exports_hold_the_same_totals(web, story):
    steward = web("steward")
    project = story["binhai"].pk
    response = steward.get("/billing/reports/export.xlsx", {"project": project, **RANGE})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    total = list(book.worksheets[0].iter_rows(values_only=True))
    assert total[1][0] == "滨海花园" or total[1][0] == story["binhai"].name
    assert [D(str(v)) for v in total[1][1:4]] == [D("1391.40"), D("594.70"), D("796.70")]
    months = list(book.worksheets[1].iter_rows(values_only=True))[1:]
    assert sum(D(str(r[1])) for r in months) == D("1391.40")
    for report, expected in (("aging", "846.70"), ("deposits", "50.00")):
        sheet = openpyxl.load_workbook(io.BytesIO(steward.get("/billing/reports/export.xlsx",
                                       {"project": project, "report": report}).content)).worksheets[0]  # fmt: skip
        rows = list(sheet.iter_rows(values_only=True))
        assert D(str(rows[1][7] if report == "aging" else rows[-1][3])) == D(expected), rows
    journal = openpyxl.load_workbook(io.BytesIO(steward.get("/billing/reports/export.xlsx", {
        "project": project, "report": "journal", "day": "2026-11-27"}).content))  # fmt: skip
    payments = list(journal.worksheets[0].iter_rows(values_only=True))[1:]
    assert sum(D(str(r[4])) for r in payments) == D("404.70") and payments[0][0] == "BINHAI-2026-000001"

    text = steward.get("/billing/reports/export.csv", {"project": project, **RANGE}).content.decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][2:5] == ["1391.40", "594.70", "796.70"]


def test_an_evil_payer_name_stays_text_in_the_exports(api, web, story):
    evil = '=HYPERLINK("http://evil.example","点我")'
    story["owner"].name = evil
    story["owner"].save(update_fields=["name"])
    Charge.objects.filter(pk=story["held"]["id"]).update(payer_name=evil)
    steward = web("steward")
    params = {"project": story["binhai"].pk, "report": "deposits"}
    sheet = openpyxl.load_workbook(
        io.BytesIO(steward.get("/billing/reports/export.xlsx", params).content)
    ).active
    cell = sheet["B2"]
    assert (cell.value, cell.data_type) == (evil, "s")
    text = steward.get("/billing/reports/export.csv", params).content.decode("utf-8-sig")
    assert f"'{evil}" in next(line for line in csv.reader(io.StringIO(text)) if "BH-3-1-1502" in line)


def test_the_pages_show_the_figures_and_drill_down(web, story):
    steward = web("steward")
    project = story["binhai"].pk
    page = steward.get("/billing/reports/", {"project": project, **RANGE})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-figure="receivable">1391.40<' in html and "42.7%" in html
    assert "vendor/echarts/dist/echarts.min.js" in html and "billing/reports.js" in html
    assert f"building={story['b3'].pk}" in html and "billing-report-data" in html
    rooms = steward.get(
        "/billing/reports/", {"project": project, "building": story["b3"].pk, **RANGE}
    ).content.decode()
    assert f"room={story['flat'].pk}" in rooms and "BH-3-1-0101" in rooms and "BH-5-1-0802" not in rooms
    bills = steward.get(
        "/billing/reports/", {"project": project, "room": story["shop"].pk, **RANGE}
    ).content.decode()
    assert 'id="table-bills"' in bills and "200.00" in bills
    for path, needle in (("aging/", "846.70"), ("deposits/", "50.00"), ("journal/", "404.70")):
        response = steward.get(f"/billing/reports/{path}", {"project": project, "day": "2026-11-27"})
        assert response.status_code == 200 and needle in response.content.decode(), path
    assert "nav-fee-reports" in steward.get("/billing/reports/").content.decode()


def test_bad_parameters_are_400_with_field_errors(api, web, story):
    steward = api("steward")
    for params, name in (({"from": "2026-13"}, "from"), ({"to": "soon"}, "to"),
                         ({"from": "2026-11", "to": "2026-10"}, "from"), ({"from": "2000-01", "to": "2026-10"}, "from"),
                         ({"building": "x"}, "building"), ({"room": "99999999"}, "room"), ({"day": "2026-02-30"}, "day"),
                         ({"room": story["b5_flat"].pk, "building": story["b3"].pk}, "room"),
                         ({"cashier": "0"}, "cashier")):  # fmt: skip
        body = get(
            steward, story, "journal" if name in ("day", "cashier") else "summary", status=400, **params
        )
        assert name in body["field_errors"], params
    assert steward.get("/api/billing/reports/summary/").status_code == 400  # no estate
    far = get(steward, story, "summary", **{"from": "9999-12", "to": "9999-12"})  # the last month there is
    assert [m["key"] for m in far["months"]] == ["9999-12"] and len(
        get(steward, story, "summary", to="9999-12")["months"]
    ) == 12
    assert (
        steward.get("/api/billing/reports/summary/", {"project": "99999999999999999999999"}).status_code
        == 404
    )
    page = web("steward").get("/billing/reports/", {"project": story["binhai"].pk, "from": "x"})
    assert page.status_code == 400 and 'data-field="from"' in page.content.decode()
    export = web("steward").get(
        "/billing/reports/export.xlsx", {"project": story["binhai"].pk, "report": "nope"}
    )
    assert export.status_code == 400


def test_who_may_see_the_reports(api, web, story):
    project = story["binhai"].pk
    assert api("engineer").get("/api/billing/reports/summary/", {"project": project}).status_code == 403
    assert web("engineer").get("/billing/reports/", {"project": project}).status_code == 403
    assert web("engineer").get("/billing/reports/export.xlsx", {"project": project}).status_code == 403
    for what in ("summary", "aging", "deposits", "journal"):
        assert api("outsider").get(f"/api/billing/reports/{what}/", {"project": project}).status_code == 404
    assert web("outsider").get("/billing/reports/", {"project": project}).status_code == 404
    # without ?project= the outsider sees their own company's estate: nothing of 深圳
    own = web("outsider").get("/billing/reports/")
    assert (
        own.status_code == 200
        and "1391.40" not in own.content.decode()
        and "滨海" not in own.content.decode()
    )
    assert api("cashier").get("/api/billing/reports/summary/", {"project": project}).status_code == 200


def test_the_queries_do_not_grow_with_the_bills(api, story, django_assert_max_num_queries):
    steward = api("steward")
    with django_assert_max_num_queries(12):
        get(steward, story, "summary", **RANGE)
    with django_assert_max_num_queries(12):
        get(steward, story, "aging")
