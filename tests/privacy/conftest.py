"""Personal data as the cast meets it (webapp/privacy.py).

Without the personal-data permission: 李娜 (agent, 客服专员), 孙审 (auditor), 王强 (engineer), 钱进
(steward), 马克 (outsider, 客服主管 of the Shanghai company). With it (role 个人信息查看): 孙丽 (sales),
周杰 (sales2), 吴磊 (sales_mgr), 郭敏 (mortgage) and 周敏 (cs_head). Everyone sees masks by default;
those with the permission reveal one value at a time, and that is audited.

Data: customer 张三 with a real resident ID, a mobile, an office and a home phone and an address;
赵六 of the Shanghai company; a complaint recorded by 李娜 whose intake has the customer's mobile
(and another phone typed into the description).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.complaint_data import INTAKE
from tests.helpers import start
from tests.movein.conftest import building, movein  # noqa: F401 (fixtures used by the move-in tests)
from tests.realestate.conftest import customer_body, resident_id
from tests.sales.conftest import master, sales_flows  # noqa: F401 (fixtures used by the sales tests)
from webapp.privacy import mask_address, mask_id, mask_phone

RESIDENT_ID = resident_id("19900307", male=False, serial=2)
MOBILE = "13812345678"  # not 13800138000: that is the example in error messages
OFFICE = "0755-88886666"
HOME = "0755-26668888"
ADDRESS = "深圳市南山区科技园科苑路15号"
DESCRIPTION_PHONE = "13900139000"
SECRETS = (RESIDENT_ID, MOBILE, OFFICE, HOME, ADDRESS)
MASKS = (
    mask_id(RESIDENT_ID),
    mask_phone(MOBILE),
    mask_phone(OFFICE),
    mask_phone(HOME),
    mask_address(ADDRESS),
)


def assert_masked(text: str, *, secrets: tuple[str, ...] = SECRETS) -> None:
    """None of the full values is in the text (a page, a JSON body, an export)."""
    leaked = [s for s in secrets if s in text]
    assert not leaked, leaked


@pytest.fixture
def customer(cast: dict) -> Any:
    """张三 of the Shenzhen company, entered by 孙丽."""
    from webapp.realestate.customers import save_customer

    body = customer_body(
        id_number=RESIDENT_ID, mobile=MOBILE, office_phone=OFFICE, home_phone=HOME, address=ADDRESS
    )
    return save_customer(cast["sales"].company, cast["sales"], body)


@pytest.fixture
def foreign_customer(cast: dict) -> Any:
    """赵六 of the Shanghai company."""
    from webapp.realestate.customers import save_customer

    body = customer_body(name="赵六", id_number=resident_id("19800808", True, 5), mobile="13600136000")
    return save_customer(cast["outsider"].company, cast["outsider"], body)


@pytest.fixture
def complaint(api: Callable[[str], Any], flow: Callable[[str], Any]) -> dict[str, Any]:
    """A complaint recorded by 李娜 through the API (its intake SMS goes to the customer's mobile)."""
    flow("complaint")
    description = f"卫生间漏水，客户另一个电话{DESCRIPTION_PHONE}，下午联系。"
    return start(api("agent"), "complaint", {**INTAKE, "customer_mobile": MOBILE, "description": description})


def reveal_events(**filters: Any) -> list[Any]:
    from engine.models import AuditEvent

    return list(AuditEvent.objects.filter(action="reveal", **filters).order_by("id"))


def grant(user: Any, role: str) -> None:
    """Give a demo role to a person (and drop Django's per-user permission cache)."""
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=role))
    for cache in ("_perm_cache", "_group_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)
