"""POST/PATCH /api/customers/: the 考核要点 rules refuse bad data with field errors (400)."""

from __future__ import annotations

from typing import Any

import pytest

from webapp.realestate.models import Customer

from .conftest import customer_body, resident_id


def create(client: Any, status: int = 201, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/customers/", customer_body(**changes), format="json")
    assert response.status_code == status, response.content
    return response.json()


def test_a_valid_customer_is_created_with_pinyin_and_fields_from_the_id(api) -> None:
    number = resident_id("19850312", False, 3)
    body = create(api("sales"), id_number=number[:-1] + number[-1].lower() if number[-1] == "X" else number)
    assert body["name_pinyin"] == "zhangsan"
    assert body["name_initials"] == "zs"
    assert body["gender"] == "female"
    assert body["birth_date"] == "1985-03-12"
    assert body["id_number"] == number
    assert body["created_by"]["name"] == "孙丽"
    customer = Customer.objects.get(pk=body["id"])
    assert customer.company.code == "sz"
    assert customer.created_at.isoformat().startswith("2026-11-27T01:00")


def test_a_lower_case_x_check_character_is_stored_upper_case(api) -> None:
    number = next(
        resident_id("19491231", False, serial)
        for serial in range(100)
        if resident_id("19491231", False, serial).endswith("X")
    )
    body = create(api("sales"), id_number=number.lower(), name="李娜")
    assert body["id_number"] == number and body["id_number"].endswith("X")


def test_a_wrong_check_digit_is_refused_on_id_number(api) -> None:
    number = resident_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    body = create(api("sales"), 400, id_number=wrong)
    assert body["detail"]
    assert list(body["field_errors"]) == ["id_number"]
    assert "校验位" in body["field_errors"]["id_number"][0]
    assert not Customer.objects.exists()


def test_a_birth_date_that_disagrees_with_the_id_is_refused(api) -> None:
    body = create(
        api("sales"), 400, id_number=resident_id("19850312"), birth_date="1985-03-13", gender="male"
    )
    assert list(body["field_errors"]) == ["birth_date"]
    assert "1985-03-12" in body["field_errors"]["birth_date"][0]


def test_a_gender_that_disagrees_with_the_id_is_refused(api) -> None:
    body = create(api("sales"), 400, id_number=resident_id("19850312", male=True), gender="female")
    assert list(body["field_errors"]) == ["gender"]


def test_a_customer_without_any_phone_is_refused_on_mobile(api) -> None:
    body = create(api("sales"), 400, mobile="", office_phone="", home_phone="")
    assert list(body["field_errors"]) == ["mobile"]
    assert not Customer.objects.exists()


def test_any_one_phone_is_enough(api) -> None:
    body = create(api("sales"), mobile="", home_phone="0755 8888 1234")
    assert body["home_phone"] == "0755-88881234"
    body = create(api("sales"), mobile="+86 139-0013-9000", id_number=resident_id(serial=2), name="李四")
    assert body["mobile"] == "13900139000"


def test_missing_required_fields_are_all_named(api) -> None:
    response = api("sales").post("/api/customers/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["field_errors"]) == {
        "name", "customer_type", "nationality", "id_type", "id_number", "address", "mobile"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mobile": "12345"}, "mobile"),
        ({"mobile": "075588881234"}, "mobile"),  # a fixed line is not a mobile
        ({"office_phone": "88881234"}, "office_phone"),  # no area code
        ({"home_phone": "call me"}, "home_phone"),
        ({"postcode": "51800"}, "postcode"),
        ({"postcode": "51800a"}, "postcode"),
        ({"birth_date": "1985-02-30"}, "birth_date"),
        ({"customer_type": "alien"}, "customer_type"),
        ({"id_type": "library_card"}, "id_type"),
        ({"gender": "x"}, "gender"),
        ({"is_group_employee": "maybe"}, "is_group_employee"),
        ({"id_number": "110105491231002"}, "id_number"),  # old 15-digit IDs
        ({"id_number": "440305" + "20270101" + "0011"}, "id_number"),  # born after today
        ({"name": "张" * 101}, "name"),
    ],
)
def test_invalid_values_are_refused_with_their_field(api, changes: dict[str, Any], field: str) -> None:
    body = create(api("sales"), 400, **changes)
    assert field in body["field_errors"], body


def test_chinese_individuals_need_a_resident_id_but_foreigners_may_use_a_passport(api) -> None:
    body = create(api("sales"), 400, id_type="passport", id_number="E12345678")
    assert list(body["field_errors"]) == ["id_type"]
    # A foreigner: passport, and gender and birth date must then be entered.
    body = create(api("sales"), 400, nationality="美国", id_type="passport", id_number="E12345678")
    assert set(body["field_errors"]) == {"gender", "birth_date"}
    body = create(
        api("sales"), nationality="美国", id_type="passport", id_number="e12345678", gender="male",
        birth_date="1980-05-06", name="John Smith",
    )  # fmt: skip
    assert body["id_number"] == "E12345678"
    assert body["name_pinyin"] == "johnsmith" and body["name_initials"] == "js"


def test_a_company_customer_uses_a_business_licence(api) -> None:
    company = {"name": "深圳市安居科技有限公司", "customer_type": "company", "id_type": "business_license",
               "id_number": "91440300MA5F000000", "mobile": "", "office_phone": "0755-88881234"}  # fmt: skip
    body = create(api("sales"), **company)
    assert body["gender"] == "" and body["birth_date"] is None
    assert body["name_initials"] == "szsajkjyxgs"
    body = create(api("sales"), 400, **{**company, "id_type": "resident_id", "id_number": resident_id()})
    assert list(body["field_errors"]) == ["id_type"]
    body = create(api("sales"), 400, id_type="business_license", id_number="91440300MA5F000001")
    assert list(body["field_errors"]) == ["id_type"]


def test_the_same_id_twice_in_a_company_is_refused_naming_the_customer(api) -> None:
    first = create(api("sales"))
    body = create(api("sales2"), 400, name="张三丰")
    assert list(body["field_errors"]) == ["id_number"]
    assert (
        "张三" in body["field_errors"]["id_number"][0]
        and str(first["id"]) in body["field_errors"]["id_number"][0]
    )
    # Another company may register the same person.
    create(api("outsider"))


def test_patch_changes_fields_and_checks_the_whole_record(api) -> None:
    client = api("sales")
    customer = create(client)
    response = client.patch(
        f"/api/customers/{customer['id']}/", {"name": "曾三", "mobile": ""}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["field_errors"]) == ["mobile"]
    response = client.patch(
        f"/api/customers/{customer['id']}/", {"name": "曾三", "address": "深圳市福田区"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name_pinyin"] == "zengsan" and body["name_initials"] == "zs"  # surname 曾 reads zeng
    assert body["address"] == "深圳市福田区"  # what the client sent comes back in full …
    assert body["mobile"] == "138****8000"  # … the rest masked (webapp/privacy.py)


def test_patching_the_id_derives_gender_and_birth_date_again(api) -> None:
    client = api("sales")
    customer = create(client)
    new_id = resident_id("19921130", False, 4)
    response = client.patch(f"/api/customers/{customer['id']}/", {"id_number": new_id}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["gender"] == "female" and response.json()["birth_date"] == "1992-11-30"


def test_put_and_delete_are_not_offered(api) -> None:
    client = api("sales")
    customer = create(client)
    assert client.put(f"/api/customers/{customer['id']}/", customer_body(), format="json").status_code == 405
    assert client.delete(f"/api/customers/{customer['id']}/").status_code == 405


def test_audit_problems_lists_what_a_saved_record_lacks(api, cast) -> None:
    client = api("sales")
    good = create(client)
    response = client.get(f"/api/customers/{good['id']}/audit-problems/")
    assert response.json() == {"ok": True, "problems": {}}
    # A record that came in before the rules (an old system's data saved as it was).
    number = resident_id()
    legacy = Customer.objects.create(
        company=cast["sales"].company, name="赵六", customer_type="individual", nationality="",
        id_type="resident_id", id_number=number[:-1] + ("1" if number[-1] == "0" else "0"), address="",
        created_at=Customer.objects.get(pk=good["id"]).created_at,
    )  # fmt: skip
    response = client.get(f"/api/customers/{legacy.pk}/audit-problems/")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert {"nationality", "address", "id_number", "mobile", "gender", "birth_date"} <= set(body["problems"])


def test_a_user_without_a_company_cannot_create_customers(api, cast) -> None:
    from webapp.accounts.models import User

    User.objects.create_user("loner", password="x")
    client = api(None)
    client.force_login(User.objects.get(username="loner"))
    response = client.post("/api/customers/", customer_body(), format="json")
    assert response.status_code == 403
    assert client.get("/api/customers/").status_code == 403  # no role, no right to see customers


def test_anonymous_clients_are_refused(api) -> None:
    assert api(None).get("/api/customers/").status_code == 401
    assert api(None).post("/api/customers/", customer_body(), format="json").status_code == 401
