"""Customer search (GET /api/customers/?q=): any field, pinyin and initials, company-scoped."""

from __future__ import annotations

from typing import Any

import pytest

from webapp.realestate.customers import save_customer, search_customers

from .conftest import customer_body, resident_id


@pytest.fixture
def people(cast: dict) -> dict[str, Any]:
    sales = cast["sales"]
    company = sales.company
    made = {
        "zhang": save_customer(company, sales, customer_body()),
        "zeng": save_customer(
            company, sales,
            customer_body(name="曾国华", id_number=resident_id("19821018", True, 2), mobile="13900139001",
                          office_phone="0755-2233 4455", address="深圳市南山区蛇口望海路1188号"),
        ),
        "li": save_customer(
            company, sales,
            customer_body(name="李小红", id_number=resident_id("19900521", False, 3), mobile="13600136002",
                          address="深圳市福田区福华三路88号"),
        ),
    }  # fmt: skip
    outsider = cast["outsider"]
    made["sh_zhang"] = save_customer(outsider.company, outsider, customer_body(name="张山"))
    return made


def found(client: Any, q: str) -> list[str]:
    response = client.get("/api/customers/", {"q": q})
    assert response.status_code == 200, response.content
    return [c["name"] for c in response.json()["results"]]


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("zs", ["张三"]),
        ("ZS", ["张三"]),
        ("zhangsan", ["张三"]),
        ("zhang san", ["张三"]),
        ("Zhang", ["张三"]),
        ("zgh", ["曾国华"]),
        ("zengguohua", ["曾国华"]),
        ("张", ["张三"]),
        ("13800138000", ["张三"]),
        ("138 0013 8000", ["张三"]),
        ("38000", ["张三"]),
        ("22334455", ["曾国华"]),
        ("0755-22334455", ["曾国华"]),
        (resident_id("19900521", False, 3), ["李小红"]),
        ("19900521", ["李小红"]),
        ("福华三路", ["李小红"]),
        ("南山区", ["曾国华", "张三"]),
        ("南山区 zgh", ["曾国华"]),
        ("nobody", []),
    ],
)
def test_search_finds_customers_by_any_field(api, people, q: str, names: list[str]) -> None:
    assert sorted(found(api("sales"), q)) == sorted(names)


def test_an_empty_search_lists_the_company_most_recent_first(api, people) -> None:
    assert found(api("sales"), "") == ["李小红", "曾国华", "张三"]


def test_search_never_crosses_companies(api, people) -> None:
    assert found(api("outsider"), "zs") == ["张山"]
    assert found(api("outsider"), "李小红") == []
    assert [c.name for c in search_customers(people["zhang"].company, "zs")] == ["张三"]


def test_a_lower_case_x_in_the_search_finds_the_id(api, cast) -> None:
    sales = cast["sales"]
    number = next(n for n in (resident_id("19491231", False, s) for s in range(100)) if n.endswith("X"))
    save_customer(sales.company, sales, customer_body(id_number=number))
    assert found(api("sales"), number.lower()) == ["张三"]
