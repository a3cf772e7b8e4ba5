"""Six weeks of sales for the demo company, run through the sales and sales-change flows.

孙丽 and 周杰 receive visitors (new customers are registered as the customer page registers them),
subscribe rooms of 安居·滨海花园, ask for discounts that 吴磊, 林芳 or 陈总 decide by level, sign;
郭敏 services the loans; the flow's timers send the reminders and bring 李娜 the callback 7 days
after signing. One subscription moves to another room and one is cancelled (approved by 吴磊), one
was entered late, some stop where they wait today.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from engine import clock
from engine.actions import do_start_instance
from engine.models import ProcessInstance

from .sim import ZONE, Simulation

APPROVER = {"manager": ("sales_mgr", "Task_ApproveByManager"), "director": ("mkt_director", "Task_ApproveByDirector"),
            "head": ("head", "Task_ApproveByHead")}  # fmt: skip
BANKS = ("中国建设银行深圳分行", "招商银行深圳分行", "中国工商银行深圳分行")
FUND_BANK = "深圳市住房公积金管理中心（中国建设银行代办）"


@dataclass(frozen=True)
class Buyer:
    """A customer: an existing one (by name), or one registered at the first visit."""

    name: str
    born: str = ""
    male: bool = True
    mobile: str = ""
    address: str = ""


@dataclass(frozen=True)
class Sale:
    days: int  # the visit, this many days before today
    salesperson: str
    buyer: Buyer
    room: str  # room code
    method: str = "commercial_mortgage"
    agreement_no: str = ""
    entered_late: int = 0  # the subscription was entered this many days after the agreement
    discount: float = 0.0
    discount_reason: str = ""
    approve: bool = True
    sign_after: int = 6  # working days from subscription to contract
    callback: tuple[str, str] = ("satisfied", "对置业顾问的服务很满意。")
    callback_late: bool = False
    disbursed_after: int = 12  # working days from the loan service to the disbursement
    change: tuple[str, str, str] = ("", "", "")  # change type, new room code, reason
    wants_to_subscribe: bool = True
    visit: dict[str, Any] = field(default_factory=dict)
    stop_at: str = ""


def customer_for(sim: Simulation, buyer: Buyer, serial: int) -> Any:
    """The buyer's customer record: found by name, or registered now as the customer page does."""
    from webapp.realestate.customers import save_customer
    from webapp.realestate.demo import demo_resident_id
    from webapp.realestate.models import Customer

    found = Customer.objects.filter(company_id=sim.company_id, name=buyer.name).order_by("pk").first()
    if found is not None or not buyer.born:
        return found
    data = {
        "name": buyer.name, "customer_type": "individual", "nationality": "中国", "id_type": "resident_id",
        "id_number": demo_resident_id(buyer.born, buyer.male, serial), "mobile": buyer.mobile,
        "address": buyer.address, "postcode": "518000",
    }  # fmt: skip
    return save_customer(sim.users["agent"].company, sim.users["sales"], data)


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZONE).date()


def sale_case(sim: Simulation, sale: Sale, serial: int) -> Generator[datetime, None, None]:
    from webapp.realestate.models import Room

    seller = sale.salesperson
    visit_at = sim.at(sim.day(sale.days), "10:00", jitter=150)
    yield visit_at
    customer = customer_for(sim, sale.buyer, serial)
    room = Room.objects.select_related("project").get(company_id=sim.company_id, code=sale.room)
    reception = {
        "project_id": room.project_id, "customer_id": customer.pk, "visit_kind": "first_visit",
        "q_source": "owner_referral", "q_referrer": "老业主推荐", "q_purpose": "upgrade", "q_budget": "2m_4m",
        "q_layout": "three_rooms", "q_concerns": ["schools", "delivery_quality"],
        "visit_note": "看了三房样板间，对楼层和朝向满意。", "wants_to_subscribe": sale.wants_to_subscribe, **sale.visit,
    }  # fmt: skip
    reception = {key: value for key, value in reception.items() if value != ""}
    instance = do_start_instance(sim.users[seller], "sales", reception)
    if not sale.wants_to_subscribe:
        return
    yield sim.later(clock.now(), sim.minutes(40, 120))
    sim.claim(seller, instance, "Task_Subscribe")
    today = local_day(clock.now())
    agreed = today - timedelta(days=sale.entered_late)
    signing = today + timedelta(days=sale.sign_after + 2)
    loan = int(room.list_price * Decimal("0.6") // 10000) * 10000
    subscription = {
        "customer_id": customer.pk, "room_id": room.pk, "agreement_no": sale.agreement_no,
        "agreement_date": agreed.isoformat(), "payment_method": sale.method, "deposit_due": 50000,
        "deposit_received": 50000, "planned_signing_date": signing.isoformat(),
    }  # fmt: skip
    if sale.method == "commercial_mortgage":
        subscription["commercial_loan"] = loan
    elif sale.method == "housing_fund":
        subscription["fund_loan"] = 900000
    elif sale.method == "combined_loan":
        subscription["commercial_loan"], subscription["fund_loan"] = loan - 900000, 900000
    sim.complete(seller, instance, "Task_Subscribe", subscription)
    if sale.stop_at == "Task_RequestDiscount":
        return
    if sale.change[0]:
        yield from change_case(sim, sale, instance)
        if sale.change[0] == "cancel":
            return
    yield sim.later(clock.now(), sim.minutes(60, 300))
    request = {"discount_percent": sale.discount}
    if sale.discount:
        request |= {
            "discount_sheet_no": f"ZK-{sale.agreement_no[3:]}",
            "discount_reason": sale.discount_reason,
        }
    sim.complete(seller, instance, "Task_RequestDiscount", request)
    level = (
        "none"
        if not sale.discount
        else "manager"
        if sale.discount <= 1
        else "director"
        if sale.discount <= 3
        else "head"
    )
    if level != "none":
        approver, task = APPROVER[level]
        if sale.stop_at == task:
            return
        yield sim.later(clock.now(), sim.minutes(90, 400))
        decision = {"discount_decision": "approve" if sale.approve else "reject", "discount_comment":
                    "同意，按折扣确认单执行。" if sale.approve else "超出本月折扣额度，按标准价执行。"}  # fmt: skip
        sim.complete(approver, instance, task, decision)
    if sale.stop_at == "Task_Contract":
        return
    yield sim.at(signing, "14:30", jitter=60)
    signed = local_day(clock.now())
    contract = {
        "contract_no": "HT" + sale.agreement_no[2:], "contract_date": signed.isoformat(),
        "agreed_delivery_date": (signed + timedelta(days=540)).isoformat(),
        "filing_date": (signed + timedelta(days=4)).isoformat(),
    }  # fmt: skip
    if sale.method != "lump_sum":
        contract |= {"mortgage_bank": BANKS[serial % len(BANKS)], "mortgage_years": 25 + 5 * (serial % 2)}
    sim.complete(seller, instance, "Task_Contract", contract)
    yield from loans_and_callback(sim, sale, instance, subscription)


def loans_and_callback(
    sim: Simulation, sale: Sale, instance: ProcessInstance, subscription: dict[str, Any]
) -> Generator[datetime, None, None]:
    """郭敏's loan services and disbursements, and 李娜's callback when its timer brings it."""
    steps: list[tuple[float, str, str, dict[str, Any]]] = []
    commercial, fund = subscription.get("commercial_loan"), subscription.get("fund_loan")
    bank = BANKS[len(sale.agreement_no) % len(BANKS)]
    if commercial:
        steps.append((1, "mortgage", "Task_MortgageService", {
            "commercial_bank": bank, "commercial_loan_total": commercial,
            "commercial_actual_bank": bank.replace("分行", "南山支行"), "commercial_years": 25,
        }))  # fmt: skip
    if fund:
        steps.append((1.5, "mortgage", "Task_FundService", {
            "fund_bank": FUND_BANK, "fund_loan_total": fund, "fund_actual_loan": fund, "fund_years": 30,
        }))  # fmt: skip
    callback_done = False
    for days, who, element_id, data in steps:
        yield sim.later(clock.now(), days * 450 + sim.minutes(0, 200))
        sim.complete(who, instance, element_id, data)
    for _attempt in range(20):  # the callback's timer fires 7 days after signing
        if sim.waiting(instance, "Task_Callback"):
            break
        yield sim.later(clock.now(), 450)
    if sim.waiting(instance, "Task_Callback") and sale.stop_at != "Task_Callback":
        task = sim.task(instance, "Task_Callback")
        late = task.due_at + timedelta(hours=5) if sale.callback_late and task.due_at else None
        yield late or sim.later(task.created_at, sim.minutes(60, 300))
        satisfaction, comments = sale.callback
        sim.complete("agent", instance, "Task_Callback", {
            "callback_reached": True, "callback_satisfaction": satisfaction, "callback_comments": comments,
        })  # fmt: skip
        callback_done = True
    if not callback_done:
        return
    if commercial:
        yield sim.later(clock.now(), sale.disbursed_after * 450)
        day = local_day(clock.now()).isoformat()
        sim.complete("mortgage", instance, "Task_MortgageDisbursed",
                     {"commercial_disbursed_on": day, "commercial_disbursed_amount": commercial})  # fmt: skip
    if fund and sale.method != "combined_loan":  # the combined loan's fund part is still being processed
        yield sim.later(clock.now(), 2 * 450)
        day = local_day(clock.now()).isoformat()
        sim.complete("mortgage", instance, "Task_FundDisbursed",
                     {"fund_disbursed_on": day, "fund_disbursed_amount": fund})  # fmt: skip


def change_case(sim: Simulation, sale: Sale, instance: ProcessInstance) -> Generator[datetime, None, None]:
    """A sales change requested by the salesperson a few days later and approved by 吴磊."""
    from webapp.realestate.models import Room
    from webapp.sales.models import Subscription

    kind, new_room, reason = sale.change
    yield sim.later(clock.now(), 2 * 450 + sim.minutes(0, 300))
    subscription = Subscription.objects.get(instance=instance)
    data: dict[str, Any] = {"subscription_id": subscription.pk, "change_type": kind, "change_reason": reason}
    if kind == "change_room":
        data["new_room_id"] = Room.objects.get(company_id=sim.company_id, code=new_room).pk
    change = do_start_instance(sim.users[sale.salesperson], "sales_change", data)
    yield sim.later(clock.now(), sim.minutes(60, 400))
    sim.complete("sales_mgr", change, "Task_ApproveChange",
                 {"change_decision": "approve", "change_comment": "同意，按公司销售变更规定办理。"})  # fmt: skip


SALES: list[Sale] = [
    Sale(40, "sales", Buyer("曾国华"), "BH-3-1-802", agreement_no="RG-BH-2601", discount=0.8,
         discount_reason="老业主推荐", callback=("satisfied", "签约流程清楚，置业顾问讲解耐心。")),
    Sale(36, "sales2", Buyer("黄晓明"), "BH-3-2-1001", method="combined_loan", agreement_no="RG-BH-2602",
         discount=2.5, discount_reason="一次性交齐首付", callback=("basically_satisfied", "整体满意，希望公积金审批快一些。")),
    Sale(30, "sales", Buyer("罗佳琪", "19910317", False, "13631287745", "深圳市南山区粤海街道海德三道99号"),
         "BH-5-1-1202", method="housing_fund", agreement_no="RG-BH-2603", discount=5, approve=False,
         discount_reason="客户要求与同期开盘价一致", callback=("unsatisfied", "对折扣审批结果有意见，认为前后价格不一致。"),
         callback_late=True),
    Sale(16, "sales2", Buyer("高明远", "19830722", True, "13802964418", "深圳市福田区香蜜湖街道农园路12号"),
         "BH-5-2-902", method="lump_sum", agreement_no="RG-BH-2604", entered_late=5,
         callback=("satisfied", "一次性付款手续简单，满意。")),
    Sale(25, "sales", Buyer("钟丽华", "19890204", False, "13570018826", "深圳市宝安区西乡街道宝源路8号"),
         "BH-3-1-1101", agreement_no="RG-BH-2605",
         change=("change_room", "BH-3-1-1102", "客户希望换到同层东南朝向的房间。"), stop_at="Task_Callback"),
    Sale(18, "sales2", Buyer("韦东", "19870911", True, "13927743310", "深圳市龙岗区布吉街道吉华路5号"),
         "BH-5-1-701", agreement_no="RG-BH-2606", change=("cancel", "", "客户资金周转困难，申请退订。")),
    Sale(10, "sales", Buyer("沈佳", "19960608", False, "18676651209", "深圳市南山区桃源街道龙珠大道3号"),
         "SY-1-1-402", wants_to_subscribe=False,
         visit={"visit_kind": "first_visit", "q_source": "online", "q_referrer": "", "q_purpose": "own_use",
                "q_budget": "below_2m", "q_layout": "two_rooms", "q_concerns": ["price", "location"],
                "visit_note": "了解山语城户型，预算有限，暂不认购。"}),
    Sale(6, "sales", Buyer("程可欣", "19940120", False, "13715502269", "深圳市福田区莲花街道景田路18号"),
         "BH-5-2-1502", agreement_no="RG-BH-2607", sign_after=12, stop_at="Task_Contract"),
    Sale(3, "sales2", Buyer("吴建国"), "BH-3-2-1202", agreement_no="RG-BH-2608", discount=1.0,
         discount_reason="团购优惠", stop_at="Task_ApproveByManager"),
]  # fmt: skip

BUYERS = frozenset(sale.buyer.name for sale in SALES)
