"""The fee demo (`anju_setup`): the fee items of 滨海花园, set up once, priced as the quote shows."""

from __future__ import annotations

from webapp.fees.demo import ITEMS, load_demo_fees
from webapp.fees.models import FeeItem

from .conftest import line, quote


def test_the_demo_sets_up_binhai_once(api, cast, estate):
    assert load_demo_fees(cast) == len(ITEMS)
    assert set(FeeItem.objects.filter(project=estate["binhai"]).values_list("kind", flat=True)) == {
        "property", "parking", "water", "electricity", "card_deposit", "one_off",
    }  # fmt: skip
    assert load_demo_fees(cast) == 0
    quoted = quote(api("steward"), estate["shop"], "2026-11", water="23.5", electricity="450")
    assert line(quoted, "wuye")["amount"] == "660.00"  # 120.00 ㎡ × 5.50 for a shop
    assert line(quoted, "shui")["amount"] == "106.95"
    assert line(quoted, "dian")["amount"] == "331.00"  # 200 × 0.68 + 200 × 0.73 + 50 × 0.98
