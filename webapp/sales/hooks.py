"""The completion hooks of the sales flows (BPMN property `completeHook`); see engine.hooks.

Thin wrappers: the rules live in `subscriptions` (sales flow) and `changes` (sales-change flow).
Registered when the app is ready (SalesConfig.ready imports this module).
"""

from __future__ import annotations

from engine import hooks
from engine.hooks import HookContext, HookResult

from . import changes, subscriptions
from .models import LoanKind

SALES_FLOW = ("sales",)  # the process ids whose elements may name these hooks
CHANGE_FLOW = ("sales_change",)


@hooks.register(
    "sales.reception",
    "客户接待: 到访记录与来访问卷(客户、项目须属本公司)",
    check=subscriptions.check_reception,
    flows=SALES_FLOW,
)
def reception(context: HookContext) -> HookResult:
    return subscriptions.do_reception(context)


@hooks.register(
    "sales.subscribe",
    "认购登记: 客户考核要点、房间 可售→认购(条件更新,被占用则 409)、认购记录、录入延迟标记",
    check=subscriptions.check_subscribe,
    flows=SALES_FLOW,
)
def subscribe(context: HookContext) -> HookResult:
    return subscriptions.do_subscribe(context)


@hooks.register(
    "sales.discount_request",
    "折扣申请: 折后价须覆盖定金和贷款",
    check=subscriptions.check_request_discount,
    flows=SALES_FLOW,
)
def discount_request(context: HookContext) -> HookResult:
    return subscriptions.do_request_discount(context)


@hooks.register("sales.discount_decision", "折扣审批: 批准则改成交总价,不批准按原价", flows=SALES_FLOW)
def discount_decision(context: HookContext) -> HookResult:
    return subscriptions.do_decide_discount(context)


@hooks.register(
    "sales.contract",
    "转签约: 合同记录,房间 认购→签约(条件更新)",
    check=subscriptions.check_contract,
    flows=SALES_FLOW,
)
def contract(context: HookContext) -> HookResult:
    return subscriptions.do_contract(context)


@hooks.register(
    "sales.mortgage_service",
    "按揭服务: 核对银行、按揭总额、实办银行、年限",
    check=lambda c: subscriptions.check_loan_service(c, LoanKind.COMMERCIAL),
    flows=SALES_FLOW,
)
def mortgage_service(context: HookContext) -> HookResult:
    return subscriptions.do_loan_service(context, LoanKind.COMMERCIAL)


@hooks.register(
    "sales.fund_service",
    "公积金服务: 核对银行、贷款总额、实办公积金贷款、年限",
    check=lambda c: subscriptions.check_loan_service(c, LoanKind.FUND),
    flows=SALES_FLOW,
)
def fund_service(context: HookContext) -> HookResult:
    return subscriptions.do_loan_service(context, LoanKind.FUND)


@hooks.register(
    "sales.mortgage_disbursed",
    "按揭放款登记",
    check=lambda c: subscriptions.check_loan_disbursed(c, LoanKind.COMMERCIAL),
    flows=SALES_FLOW,
)
def mortgage_disbursed(context: HookContext) -> HookResult:
    return subscriptions.do_loan_disbursed(context, LoanKind.COMMERCIAL)


@hooks.register(
    "sales.fund_disbursed",
    "公积金放款登记",
    check=lambda c: subscriptions.check_loan_disbursed(c, LoanKind.FUND),
    flows=SALES_FLOW,
)
def fund_disbursed(context: HookContext) -> HookResult:
    return subscriptions.do_loan_disbursed(context, LoanKind.FUND)


@hooks.register("sales.change_request", "销售变更申请: 检查并登记待审批的变更", flows=CHANGE_FLOW)
def change_request(context: HookContext) -> HookResult:
    return changes.do_request_change(context)


@hooks.register(
    "sales.change_decision", "销售变更审批: 批准即执行(取消认购/换房/更名),不批准则关闭", flows=CHANGE_FLOW
)
def change_decision(context: HookContext) -> HookResult:
    return changes.do_decide_change(context)
