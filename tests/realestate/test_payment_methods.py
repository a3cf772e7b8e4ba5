"""Payment methods: the five defaults per company, the API list, the management command."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from webapp.realestate.models import PaymentMethod


def test_the_api_lists_the_company_methods_with_the_needs_loan_flag(api, master) -> None:
    response = api("sales").get("/api/payment-methods/")
    assert response.status_code == 200
    methods = {m["code"]: m for m in response.json()["results"]}
    assert {code: (m["name"], m["needs_loan"], m["loan_kind"]) for code, m in methods.items()} == {
        "lump_sum": ("一次性付款", False, "none"),
        "installments": ("分期付款", False, "none"),
        "commercial_mortgage": ("商业按揭", True, "commercial"),
        "housing_fund": ("公积金贷款", True, "fund"),
        "combined_loan": ("组合贷款", True, "combined"),
    }
    assert methods["installments"]["installments"][0] == {
        "item": "首期房款",
        "percent": "30",
        "days_after_signing": 7,
    }


def test_inactive_methods_are_flagged_and_can_be_left_out(api, master) -> None:
    PaymentMethod.objects.filter(company=master["sz"], code="installments").update(active=False)
    all_methods = api("sales").get("/api/payment-methods/").json()["results"]
    assert len(all_methods) == 5
    active = api("sales").get("/api/payment-methods/", {"active": "1"}).json()["results"]
    assert "installments" not in [m["code"] for m in active]


def test_each_company_sees_its_own_methods(api, master) -> None:
    PaymentMethod.objects.filter(company=master["sh"], code="lump_sum").update(name="全款")
    names = [m["name"] for m in api("outsider").get("/api/payment-methods/").json()["results"]]
    assert "全款" in names
    assert "全款" not in [m["name"] for m in api("sales").get("/api/payment-methods/").json()["results"]]


def test_the_command_ensures_methods_per_company_and_keeps_edits(cast) -> None:
    out = StringIO()
    call_command("anju_payment_methods", "sz", stdout=out)
    assert "sz: 5 payment methods (5 new)" in out.getvalue()
    assert not PaymentMethod.objects.filter(company__code="sh").exists()
    PaymentMethod.objects.filter(company__code="sz", code="lump_sum").update(name="全款")
    out = StringIO()
    call_command("anju_payment_methods", stdout=out)
    assert (
        "sz: 5 payment methods (0 new)" in out.getvalue()
        and "sh: 5 payment methods (5 new)" in out.getvalue()
    )
    assert PaymentMethod.objects.get(company__code="sz", code="lump_sum").name == "全款"
