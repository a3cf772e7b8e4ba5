import re
import pytest
from engine import actions
from engine.models import Task
from tests.pages.conftest import INTAKE_DATA

pytestmark = pytest.mark.browser

def test_shots(live_server, cast, flow, browser_page):
    flow("complaint")
    inst = actions.do_start_instance(cast["agent"], "complaint", INTAKE_DATA)
    for i in range(3):
        actions.do_start_instance(cast["agent"], "complaint", {**INTAKE_DATA, "customer_name": f"客户{i}"})
    t = Task.objects.get(instance=inst, name="派单")
    actions.do_claim_task(cast["agent"], t)
    page, base = browser_page, live_server.url
    page.goto(base + "/inbox/")
    page.fill("#id_username", "cs_head"); page.fill("#id_password", "anju2026"); page.click("#login-submit")
    page.wait_for_url(re.compile("/inbox/"))
    page.click("#language-switch button[value=en]")
    page.wait_for_load_state()
    page.screenshot(path="/tmp/shot-inbox.png", full_page=True)
    page.goto(f"{base}/tasks/{t.pk}/")
    page.wait_for_selector("#diagram[data-rendered]")
    page.screenshot(path="/tmp/shot-task.png", full_page=True)
    page.goto(f"{base}/instances/{inst.pk}/")
    page.wait_for_selector("#diagram[data-rendered]")
    page.screenshot(path="/tmp/shot-instance.png", full_page=True)
    page.goto(f"{base}/issues/new/")
    page.screenshot(path="/tmp/shot-new.png", full_page=True)
    page.goto(f"{base}/instances/")
    page.screenshot(path="/tmp/shot-instances.png", full_page=True)
