"""ensure_master_demo: realistic, valid and idempotent demo data."""

from __future__ import annotations

from decimal import Decimal

from webapp.accounts.models import Company
from webapp.realestate.customers import audit_problems
from webapp.realestate.demo import ensure_master_demo
from webapp.realestate.models import Customer, PaymentMethod, Room


def test_the_demo_company_gets_rooms_customers_and_payment_methods(cast) -> None:
    sz = Company.objects.get(code="sz")
    assert ensure_master_demo(sz) == {"rooms": 144 + 12, "customers": 10}
    binhai = Room.objects.filter(project__code="binhai")
    assert binhai.count() == 2 * 2 * 18 * 2
    assert set(binhai.values_list("status", flat=True)) == {"available"}
    assert Room.objects.filter(code="BH-3-1-1502", name="1502", floor__number=15).exists()
    for room in Room.objects.filter(company=sz):
        assert Decimal(80) <= room.built_area <= Decimal(140)
        per_m2 = room.list_price / room.built_area
        assert Decimal(22000) <= per_m2 <= Decimal(28000), room.code
        assert room.list_price == room.list_price.quantize(Decimal(1))  # to the yuan
    assert Room.objects.filter(project__code="shanyu").count() == 12
    customers = Customer.objects.filter(company=sz)
    assert customers.count() == 10
    assert all(audit_problems(c) == {} for c in customers)
    assert all("深圳" in c.address and c.name_initials for c in customers)
    assert PaymentMethod.objects.filter(company=sz).count() == 5


def test_running_it_again_changes_nothing(cast) -> None:
    sz = Company.objects.get(code="sz")
    ensure_master_demo(sz)
    prices = dict(Room.objects.values_list("code", "list_price"))
    assert ensure_master_demo(sz) == {"rooms": 0, "customers": 0}
    assert dict(Room.objects.values_list("code", "list_price")) == prices


def test_the_other_company_gets_its_own_small_project(cast) -> None:
    sh = Company.objects.get(code="sh")
    assert ensure_master_demo(sh) == {"rooms": 12, "customers": 0}
    assert set(Room.objects.filter(company=sh).values_list("project__code", flat=True)) == {"jiangwan"}
