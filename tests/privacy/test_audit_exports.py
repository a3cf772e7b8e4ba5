"""The audit review and its exports: personal data in the details (submitted data, the changed
old → new values, SMS parameters) is masked for reviewers without the personal-data permission;
an export by one who holds it is full and is itself an audit event (how many rows, which fields)."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from engine.actions import do_update_instance_data
from engine.models import ProcessInstance
from webapp.privacy import mask_phone

from .conftest import MOBILE, assert_masked, grant, reveal_events

NEW_MOBILE = "13912345678"
SECRETS = (MOBILE, NEW_MOBILE)


@pytest.fixture
def trail(cast, complaint):  # type: ignore[no-untyped-def]
    instance = ProcessInstance.objects.get(pk=complaint["id"])
    do_update_instance_data(cast["cs_head"], instance, {"customer_mobile": NEW_MOBILE}, "客户换了手机号")
    return complaint


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> list[tuple]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_auditors_pages_are_masked(web, trail):
    auditor = web("auditor")
    for url in ("/audit/", f"/audit/instances/{trail['id']}/", "/audit/?action=update_data"):
        page = auditor.get(url).content.decode()
        assert_masked(page, secrets=SECRETS)
    timeline = auditor.get(f"/audit/instances/{trail['id']}/").content.decode()
    assert 'data-role="changes"' in timeline
    assert mask_phone(MOBILE) in timeline and mask_phone(NEW_MOBILE) in timeline


def test_the_auditors_exports_are_masked_and_write_no_reveal_event(web, trail):
    auditor = web("auditor")
    rows = _csv(auditor.get("/audit/export.csv"))
    assert len(rows) > 3
    text = json.dumps(rows, ensure_ascii=False)
    assert_masked(text, secrets=SECRETS)
    assert f"{mask_phone(MOBILE)} → {mask_phone(NEW_MOBILE)}" in text  # the change, old → new, masked
    assert_masked(json.dumps(_xlsx(auditor.get("/audit/export.xlsx")), ensure_ascii=False, default=str),
                  secrets=SECRETS)  # fmt: skip
    assert reveal_events() == []


def test_the_agents_audit_export_is_masked(web, cast, trail):
    """李娜 given the audit role (审计) still lacks the personal-data permission."""
    assert web("agent").get("/audit/export.csv").status_code == 403
    grant(cast["agent"], "审计")
    rows = _csv(web("agent").get("/audit/export.csv"))
    assert len(rows) > 3
    assert_masked(json.dumps(rows, ensure_ascii=False), secrets=SECRETS)


def test_an_export_by_a_permitted_reviewer_is_full_and_audited(web, cast, trail):
    grant(cast["auditor"], "个人信息查看")
    auditor = web("auditor")
    page = auditor.get(f"/audit/instances/{trail['id']}/").content.decode()
    assert_masked(page, secrets=SECRETS)  # the pages stay masked
    rows = _csv(auditor.get("/audit/export.csv"))
    text = json.dumps(rows, ensure_ascii=False)
    assert f"{MOBILE} → {NEW_MOBILE}" in text
    [event] = reveal_events()
    assert event.actor == cast["auditor"] and event.details["via"] == "export"
    assert event.details["export"] == "audit.csv"
    personal_rows = sum(1 for r in rows[1:] if MOBILE in "".join(r) or NEW_MOBILE in "".join(r))
    assert event.details["rows"] == personal_rows >= 2  # the intake, the SMS, the change
    assert "customer_mobile" in event.details["fields"]
    assert_masked(json.dumps(event.details, ensure_ascii=False), secrets=SECRETS)
    values = _xlsx(auditor.get("/audit/export.xlsx"))
    assert MOBILE in json.dumps(values, ensure_ascii=False, default=str)
    assert [e.details["export"] for e in reveal_events()] == ["audit.csv", "audit.xlsx"]
    # The next export lists the exports themselves, in words and without values.
    later = _csv(auditor.get("/audit/export.csv", {"action": "reveal"}))
    assert len(later) == 3 and all("查看个人信息" in r for r in later[1:])
