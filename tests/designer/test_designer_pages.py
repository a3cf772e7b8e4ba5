"""The designer's pages (Django test client): only analysts reach them, others get the app's 403
page; the editor page carries the draft's data for the browser code; another analyst's draft is a
404; every text the browser code shows is in the translated strings, in Chinese by default."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from webapp.accounts.models import User
from webapp.designer import strings

FRONTEND = Path(__file__).resolve().parents[2] / "webapp" / "designer" / "frontend"


def page(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def config_of(html: str, block: str) -> dict:
    found = re.search(rf'<script id="{block}" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no {block} block"
    return json.loads(found.group(1))


@pytest.fixture
def complaint_draft(api, cast, flow):  # type: ignore[no-untyped-def]
    flow("complaint")
    response = api("analyst").post("/api/designer/drafts/", {"key": "complaint"}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_designer_home_is_for_analysts(cast):
    analyst = page(cast["analyst"]).get("/designer/")
    assert analyst.status_code == 200
    html = analyst.content.decode()
    assert 'id="flows-table"' in html and 'id="drafts-table"' in html and 'id="new-flow-form"' in html
    assert "流程设计" in html and 'id="nav-designer"' in html  # Chinese first, and the nav item
    config = config_of(html, "designer-home-config")
    assert (
        config["urls"]["flows"] == "/api/designer/flows/"
        and config["urls"]["drafts"] == "/api/designer/drafts/"
    )
    assert config["urls"]["editor"] == "/designer/drafts/0/"
    assert "designer/build/list.js" in html

    refused = page(cast["agent"]).get("/designer/")
    assert refused.status_code == 403 and 'id="error"' in refused.content.decode()
    assert 'id="nav-designer"' not in page(cast["agent"]).get("/inbox/").content.decode()
    anonymous = page(None).get("/designer/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_editor_page_carries_the_draft(cast, complaint_draft):
    response = page(cast["analyst"]).get(f"/designer/drafts/{complaint_draft['id']}/")
    assert response.status_code == 200
    html = response.content.decode()
    config = config_of(html, "designer-config")
    draft = config["draft"]
    assert draft["id"] == complaint_draft["id"] and draft["key"] == "complaint"
    assert (
        config["bpmn_name"] == "complaint.bpmn" and 'id="Task_Callback"' in draft["files"]["complaint.bpmn"]
    )
    assert "callback.schema.json" in draft["files"] and draft["base_version"]["version"] == 1
    assert config["urls"]["draft"] == f"/api/designer/drafts/{complaint_draft['id']}/"
    assert config["urls"]["deploy"] == f"/api/designer/drafts/{complaint_draft['id']}/deploy/"
    assert config["urls"]["versions"] == "/api/designer/flows/complaint/versions/"
    assert config["csrf_token"] and "complexGateway" not in config["supported_bpmn"]
    assert "userTask" in config["supported_bpmn"]
    templates = {t["id"]: t for t in config["field_templates"]}
    assert templates["resident_id"]["schema"]["format"] == "cn-resident-id"
    assert templates["mobile"]["schema"]["format"] == "cn-mobile"
    assert templates["room"]["schema"]["x-options"] == "rooms.available"
    assert templates["amount"]["schema"] == {
        "type": "number",
        "title": "金额(元)",
        "multipleOf": 0.01,
        "minimum": 0,
    }
    assert (
        config["strings"]["Create task"] == "创建任务" and config["strings"]["Anju properties"] == "安居属性"
    )
    for element in ('id="canvas"', 'id="properties-panel"', 'id="problems-list"', 'id="files-panel"',
                    'id="form-editor"', 'id="deploy-dialog"', 'id="btn-save"', 'id="btn-deploy"'):  # fmt: skip
        assert element in html, element
    assert "保存" in html and "部署" in html and "designer/build/designer.js" in html


def test_another_analysts_draft_is_not_found_and_others_are_refused(cast, complaint_draft):
    other = User.objects.create_user(
        "analyst2", password="x", company=cast["analyst"].company, display_name="王芳"
    )
    other.groups.add(Group.objects.get(name="业务分析"))
    assert page(other).get(f"/designer/drafts/{complaint_draft['id']}/").status_code == 404
    assert page(other).get("/designer/").status_code == 200
    assert page(cast["analyst"]).get("/designer/drafts/999999/").status_code == 404
    refused = page(cast["cs_head"]).get(f"/designer/drafts/{complaint_draft['id']}/")
    assert refused.status_code == 403 and "部署流程需要" in refused.content.decode()


def test_the_pages_switch_to_english(cast, complaint_draft):
    client = page(cast["analyst"])
    client.cookies["django_language"] = "en"
    html = client.get(f"/designer/drafts/{complaint_draft['id']}/").content.decode()
    assert config_of(html, "designer-config")["strings"]["Create task"] == "Create task"
    assert ">Save<" in html


def frontend_strings() -> set[str]:
    """Every literal the browser code passes to t() or translate()."""
    found: set[str] = set()
    pattern = re.compile(r"""\b(?:t|translate)\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")""")
    for path in FRONTEND.rglob("*"):
        if path.suffix in (".js", ".jsx") and path.name != "build.mjs":
            for single, double in pattern.findall(path.read_text(encoding="utf-8")):
                found.add((single or double).replace("\\'", "'").replace('\\"', '"'))
    return found


def test_every_text_of_the_browser_code_is_translated(cast):
    used = frontend_strings()
    assert len(used) > 80
    missing = used - set(strings.DESIGNER) - set(strings.BPMN_JS)
    assert not missing, f"add these to webapp/designer/strings.py: {sorted(missing)}"
    from django.utils import translation

    with translation.override("zh-hans"):
        texts = strings.translated()
    untranslated = [s for s in strings.DESIGNER if texts[s] == s and re.search("[A-Za-z]{3}", s)]
    assert not untranslated, f"no Chinese in the .po for: {untranslated}"
