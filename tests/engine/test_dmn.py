"""DMN decision tables run from business rule tasks, in the sandbox; bad entries are refused at deploy."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engine.models import ProcessVersion
from tests.conftest import FLOWS
from tests.helpers import start


@pytest.mark.parametrize(
    ("discount", "lane"), [(0.5, "销售经理"), (1, "销售经理"), (2.5, "营销总监"), (8, "公司领导")]
)
def test_a_decision_table_picks_the_approver(api, flow, discount, lane):
    flow("decide")
    started = start(api("agent"), "decide", {"discount": discount})
    assert started["status"] == "completed"
    assert (
        api("agent").get(f"/api/process-instances/{started['id']}/").json()["data"]["approver_lane"] == lane
    )


@pytest.mark.usefixtures("no_shared_flows")  # nothing deployed before
def test_a_hostile_decision_entry_is_refused_at_deploy(api, cast):
    files = {p.name: p.read_bytes() for p in (FLOWS / "decide").iterdir()}
    files["approver.dmn"] = files["approver.dmn"].replace(
        b'"\xe5\x85\xac\xe5\x8f\xb8\xe9\xa2\x86\xe5\xaf\xbc"', b"__import__('os').getcwd()"
    )
    response = api("analyst").post(
        "/api/process-definitions/",
        {"files": [SimpleUploadedFile(n, c) for n, c in files.items()]},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    problem = response.json()["problems"][0]
    assert problem["file"] == "approver.dmn" and problem["element_id"] == "Out_3" and problem["line"] == 11
    assert not ProcessVersion.objects.exists()
