"""The heatmap's table names the elements as the diagram does (issue 13.7), not by their ids."""

from __future__ import annotations

import re

from engine import actions
from tests.complaint_data import INTAKE


def test_the_heatmap_lists_elements_by_name(web, cast, flow):
    flow("complaint")
    actions.do_start_instance(cast["agent"], "complaint", INTAKE)
    html = web("analyst").get("/designer/flows/complaint/waits/").content.decode()
    table = html.split('id="waits-table"', 1)[1].split("</table>", 1)[0]
    assert re.search(r'<tr data-element="Task_Triage"><td title="Task_Triage">派单</td>', table)
    assert ">Task_Triage<" not in table
