"""Roles and the demo company: the people `make run` prints and the tests' cast.

Everything here is idempotent: running it again changes nothing that exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission

from .models import Company, CorporateGroup, Project, User, WorkGroup

DEMO_PASSWORD = "anju2026"  # noqa: S105 (the demo company's published password)

# Role (Django auth group) → permissions: a codename of app "engine", or "app.codename". What each
# right opens is declared in webapp/common/rights.py; docs/security.md shows roles × pages.
ROLES: dict[str, list[str]] = {
    # every employee (not a contractor's people): start flows by hand, as each flow's rule allows
    "员工": ["add_processinstance"],
    # jobs: the master data, sales and move-in records each one works with
    "客服": ["realestate.view_customer", "realestate.view_room", "movein.view_handoverbatch", "residents.manage_residents",
           "repairs.view_repair", "community.publish_notice", "community.manage_surveys"],
    "置业顾问": [
        "realestate.view_customer", "realestate.add_customer", "realestate.change_customer",
        "realestate.view_room", "realestate.add_room", "sales.view_subscription",
    ],
    "按揭": ["realestate.view_customer", "sales.view_subscription"],
    "营销": ["realestate.view_room", "sales.view_subscription"],
    "工程": ["movein.view_defect"],  # rooms only through their inspections (their own work)
    "物业": ["movein.view_handoverbatch", "movein.view_defect", "realestate.view_room", "realestate.change_room",
           "realestate.view_customer", "residents.manage_residents",  # residents of the rooms (webapp/residents)
           "fees.view_feeitem", "fees.add_feeitem",  # fee setup (webapp/fees)
           "meters.enter_readings",  # meters and readings (webapp/meters)
           "parking.view_parkingcontract", "parking.manage_parking",  # parking (webapp/parking)
           "billing.view_charge", "billing.run_billing",  # bills and the monthly runs (webapp/billing)
           "passes.approve_decoration",  # decoration passes of residents (webapp/passes)
           "community.publish_notice", "community.manage_surveys"],  # notices, questionnaires (webapp/community)
    # the property company's front desk and its manager (webapp/billing)
    "收银": ["billing.view_charge", "billing.take_payment", "realestate.view_room"],
    "门岗": ["passes.admit"],  # the gate: checks visitor, decoration and visit passes (webapp/passes)
    "物业经理": ["billing.view_charge", "billing.run_billing", "billing.issue_credit", "billing.approve_waiver",
             "fees.view_feeitem", "realestate.view_room"],
    "客服主管": ["view_all_instances", "retry_incident", "cancel_instance", "reassign_task", "movein.add_handoverbatch",
             "repairs.change_repair"],
    # repairs: the dispatcher (调度员) sees and steers every repair; technicians work their own
    "调度": ["repairs.view_repair", "repairs.change_repair", "realestate.view_room", "realestate.view_customer"],
    "公司领导": [
        "view_all_instances", "realestate.view_customer", "realestate.view_room", "sales.view_subscription",
        "movein.view_handoverbatch", "movein.view_defect", "fees.view_feeitem", "parking.view_parkingcontract",
    ],
    "部门经理": ["reassign_task"],
    "业务分析": ["deploy_process", "migrate_instances"],
    "运维": ["retry_incident", "view_all_instances"],
    "审计": ["review_audit", "view_all_instances"],
    "公司管理员": ["accounts.manage_people", "view_all_instances"],
    "个人信息查看": ["realestate.view_personal_data"],  # resident IDs, phones, addresses in full (audited)
}  # fmt: skip
PII = "个人信息查看"  # the role that sees personal data in full
STAFF = "员工"  # every employee's role; a contractor's people hold none (their tasks and defects only)

WORK_GROUPS = [
    "客服中心",
    "公司领导",
    "工程部",
    "设计部",
    "营销部",
    "物业部",
    "销售部",
    "销售经理",
    "营销总监",
    "按揭专员",
    "承建商·鹏程装饰",
    "承建商·华南门窗",
    "调度中心",
    "维修班",
    "物业经理",
    "收费处",
]


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    title: str
    company: str
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    mobile: str = ""


PEOPLE = [
    Person("agent", "李娜", "客服专员", "sz", ("客服中心",), (STAFF, "客服"), "13800138001"),
    Person("cs_head", "周敏", "客服中心负责人", "sz", ("客服中心",), (STAFF, "客服", "客服主管", PII), "13800138002"),
    Person("engineer", "王强", "工程师", "sz", ("工程部",), (STAFF, "工程"), "13800138003"),
    Person("eng_head", "赵刚", "工程部经理", "sz", ("工程部",), (STAFF, "工程", "部门经理"), "13800138004"),
    Person("designer", "吴倩", "设计师", "sz", ("设计部",), (STAFF,)),
    Person("marketer", "郑凯", "营销专员", "sz", ("营销部",), (STAFF,)),
    Person("steward", "钱进", "物业管家", "sz", ("物业部",), (STAFF, "物业")),
    Person("head", "陈总", "公司负责人", "sz", ("公司领导",), (STAFF, "公司领导", "公司管理员"), "13800138008"),
    Person("analyst", "刘洋", "业务分析师", "sz", (), (STAFF, "业务分析")),
    Person("auditor", "孙审", "审计/满意度专员", "sz", (), (STAFF, "审计")),
    Person("sales", "孙丽", "置业顾问", "sz", ("销售部",), (STAFF, "置业顾问", PII), "13800138010"),
    Person("sales2", "周杰", "置业顾问", "sz", ("销售部",), (STAFF, "置业顾问", PII), "13800138011"),
    Person("sales_mgr", "吴磊", "销售经理", "sz", ("销售部", "销售经理"), (STAFF, "置业顾问", "部门经理", PII), "13800138012"),
    Person("mkt_director", "林芳", "营销总监", "sz", ("营销总监",), (STAFF, "营销"), "13800138013"),
    Person("mortgage", "郭敏", "按揭专员", "sz", ("按揭专员",), (STAFF, "按揭", PII), "13800138014"),
    Person("contractor", "黄建", "鹏程装饰 整改负责人", "sz", ("承建商·鹏程装饰",), (), "13800138020"),
    Person("contractor2", "林海", "华南门窗 售后工程师", "sz", ("承建商·华南门窗",), (), "13800138021"),
    Person("dispatcher", "何平", "物业调度员", "sz", ("调度中心",), (STAFF, "调度"), "13800138030"),
    Person("technician", "张伟", "物业维修技工", "sz", ("维修班",), (STAFF,), "13800138031"),
    # the property company's front desk (two cashiers) and its manager, who approves waivers
    Person("cashier", "许静", "物业收银员", "sz", ("收费处",), (STAFF, "收银"), "13800138040"),
    Person("cashier2", "冯丹", "物业收银员", "sz", ("收费处",), (STAFF, "收银"), "13800138041"),
    Person("pm_manager", "蒋涛", "物业经理", "sz", ("物业部", "物业经理"), (STAFF, "物业经理", "部门经理"), "13800138042"),
    Person("guard", "王保安", "门岗保安", "sz", (), (STAFF, "门岗"), "13800138050"),  # the gate (webapp/passes)
    # 马克 holds the rights of the jobs whose pages the other company has: what he cannot see of sz
    # is the company scope at work (a 404), not a right he lacks
    Person("outsider", "马克", "客服专员（上海公司）", "sh", ("客服中心",), (STAFF, "客服", "置业顾问", "物业", "客服主管")),
]  # fmt: skip

COMPANIES = {
    "sz": (
        "安居地产深圳公司",
        "400-800-0001",
        [("binhai", "安居·滨海花园", "深圳"), ("shanyu", "安居·山语城", "深圳")],
    ),
    "sh": ("安居地产上海公司", "400-800-0002", [("jiangwan", "安居·江湾府", "上海")]),
}


def ensure_roles() -> dict[str, Group]:
    roles = {}
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for qualified in codenames:
            app, _dot, codename = qualified.rpartition(".")
            perm = Permission.objects.filter(
                content_type__app_label=app or "engine", codename=codename
            ).first()
            if perm is not None:
                group.permissions.add(perm)
        roles[name] = group
    return roles


def ensure_people() -> dict[str, User]:
    """The demo group, both companies, their work groups and projects, and every Person."""
    corporate, _ = CorporateGroup.objects.get_or_create(code="anju", defaults={"name": "安居集团"})
    companies: dict[str, Company] = {}
    for code, (name, hotline, projects) in COMPANIES.items():
        company, _ = Company.objects.get_or_create(
            code=code, defaults={"name": name, "corporate_group": corporate, "hotline": hotline}
        )
        companies[code] = company
        for group_name in WORK_GROUPS:
            WorkGroup.objects.get_or_create(
                company=company,
                name=group_name,
                defaults={"email": f"{_mailbox(group_name)}@{code}.anju.example"},
            )
        for p_code, p_name, city in projects:
            Project.objects.get_or_create(
                company=company, code=p_code, defaults={"name": p_name, "city": city}
            )
    roles = ensure_roles()
    users: dict[str, User] = {}
    for person in PEOPLE:
        company = companies[person.company]
        user = User.objects.filter(username=person.username).first()
        if user is None:
            user = User(
                username=person.username,
                display_name=person.name,
                first_name=person.name,
                company=company,
                mobile=person.mobile,
                email=f"{person.username}@{person.company}.anju.example",
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.work_groups.add(*WorkGroup.objects.filter(company=company, name__in=person.groups))
            user.groups.add(*(roles[r] for r in person.roles))
        users[person.username] = user
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(
            "admin", "admin@anju.example", DEMO_PASSWORD, company=companies["sz"], display_name="系统管理员"
        )
    return users


_MAILBOXES = {"客服中心": "kefu", "公司领导": "leaders", "工程部": "gongcheng", "设计部": "sheji", "营销部": "yingxiao",
              "物业部": "wuye", "销售部": "xiaoshou", "销售经理": "xiaoshou-jingli", "营销总监": "yingxiao-zongjian",
              "按揭专员": "anjie", "承建商·鹏程装饰": "pengcheng", "承建商·华南门窗": "huanan",
              "调度中心": "diaodu", "维修班": "weixiu", "物业经理": "wuye-jingli",
              "收费处": "shoufei"}  # fmt: skip


def _mailbox(group_name: str) -> str:
    return _MAILBOXES.get(group_name, "team")


def logins_table() -> str:
    rows = [f"  {'用户名':<10} {'姓名':<6} {'岗位'}"]
    for person in PEOPLE:
        rows.append(f"  {person.username:<13} {person.name:<6} {person.title}")
    rows.append(f"  {'admin':<13} {'管理员':<6} Django admin (/admin/)")
    return "\n".join(rows) + f"\n  password / 密码: {DEMO_PASSWORD}"
