"""The SMS templates of the sales flow's touchpoints ("6+2": 认购后三日提醒, 签约前一日提醒,
合同备案后通知, 按揭放款后通知), registered with the engine in SalesConfig.ready. Texts as
filed with the SMS gateway: parameters only, never free text."""

from __future__ import annotations

TEMPLATES = [
    {
        "template_id": "SALES_AFTER_SUBSCRIPTION",
        "channel": "sms",
        "name": "认购后三日提醒",
        "subject": "",
        "content": "尊敬的${customer_name}，感谢您认购${project}${room}（协议编号${agreement_no}）。"
        "请于${signing_date}前备齐身份证明、收入证明等资料办理签约，如有疑问请联系置业顾问${salesperson}。",
    },
    {
        "template_id": "SALES_BEFORE_SIGNING",
        "channel": "sms",
        "name": "签约前一日提醒",
        "subject": "",
        "content": "尊敬的${customer_name}，您认购的${project}${room}约定于明天（${signing_date}）签约，"
        "请携带身份证明原件和认购协议到售楼处办理。",
    },
    {
        "template_id": "SALES_CONTRACT_FILED",
        "channel": "sms",
        "name": "合同备案通知",
        "subject": "",
        "content": "尊敬的${customer_name}，您购买的${project}${room}的商品房买卖合同（编号${contract_no}）"
        "已于${filing_date}办理备案。",
    },
    {
        "template_id": "SALES_LOAN_DISBURSED",
        "channel": "sms",
        "name": "贷款放款通知",
        "subject": "",
        "content": "尊敬的${customer_name}，您购买的${project}${room}的${loan_name}${amount}元已于${disbursed_on}放款，"
        "感谢您的信任。",
    },
]
