"""维修统计 (webapp/repairs/stats.py, the page and its exports) on a small hand-made set of repairs:
the figures (counts, average response and completion, first-time fix, reopen rate, satisfaction),
the company scope, the period, the drill-down, the .xlsx and CSV exports (a formula-looking name
stays text), bad input (400) and who may open it.

The clock stands at Friday 2026-11-27 09:00 Shanghai (tests/conftest.py): the default period is
2026-10-29 … 2026-11-27."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from webapp.repairs import stats

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=SH)
FORMULA = '=HYPERLINK("http://evil.example","点我")'


def make(
    world: dict[str, Any], project: str = "binhai", *, closed_days_ago: float | None = 2, **fields: Any
) -> Any:
    """A repair of the world's company, closed `closed_days_ago` days before now (None: open)."""
    from webapp.repairs.models import Repair

    reported = NOW - timedelta(days=(closed_days_ago or 1) + 1)
    values: dict[str, Any] = {
        "company": world["company"], "project": world[project], "location": "7栋1单元0101",
        "reporter_name": "陈业主", "category": "plumbing_electric", "description": "漏水",
        "reported_by": world["agent"], "reported_at": reported, "status": "closed",
        "closed_at": None if closed_days_ago is None else NOW - timedelta(days=closed_days_ago),
    }  # fmt: skip
    if closed_days_ago is None:
        values["status"] = "in_progress"
    values.update(fields)
    return Repair.objects.create(**values)


@pytest.fixture
def world(cast: dict) -> dict[str, Any]:
    return build_world(cast)


def build_world(cast: dict) -> dict[str, Any]:
    """Two teams and two technicians of company sz, and these repairs (the default period):

    binhai, 水电, 维修一班, 张伟: closed, 30 min / 2 h, never reopened, 5 stars
    binhai, 水电, 维修一班, 张伟: closed, 1 h / 3 h, reopened once, 3 stars
    binhai, 门窗, 维修一班, 王强: closed, no arrival / 1 h, reopened twice, not rated
    shanyu, 电梯, =HYPERLINK…, nobody: closed, 10 min / 20 min, never reopened, 4 stars
    binhai, 水电, 维修一班, 张伟: in progress (reported yesterday)
    and outside the figures: one closed 40 days ago (5 stars), one cancelled, one of company sh."""
    from webapp.accounts.models import Project, WorkGroup
    from webapp.repairs.models import RepairTeam

    company = cast["agent"].company
    group = WorkGroup.objects.get(company=company, name="维修班")
    world = {
        "company": company, "agent": cast["agent"], "technician": cast["technician"], "engineer": cast["engineer"],
        "binhai": Project.objects.get(company=company, code="binhai"),
        "shanyu": Project.objects.get(company=company, code="shanyu"),
        "team": RepairTeam.objects.create(company=company, name="维修一班", work_group=group),
        "lifts": RepairTeam.objects.create(company=company, name=FORMULA, work_group=group),
    }  # fmt: skip
    first = {"team": world["team"], "technician": cast["technician"]}
    make(world, **first, response_seconds=1800, completion_seconds=7200, satisfaction=5)
    make(world, **first, response_seconds=3600, completion_seconds=10800, reopen_count=1, satisfaction=3)
    make(world, team=world["team"], technician=cast["engineer"], category="doors_windows",
         completion_seconds=3600, reopen_count=2)  # fmt: skip
    make(world, "shanyu", team=world["lifts"], category="elevator", response_seconds=600, completion_seconds=1200,
         satisfaction=4)  # fmt: skip
    make(world, **first, closed_days_ago=None, reported_at=NOW - timedelta(days=1))
    world["old"] = make(
        world, **first, closed_days_ago=40, response_seconds=60, completion_seconds=60, satisfaction=5
    )
    make(world, **first, closed_days_ago=None, status="cancelled", cancelled_at=NOW - timedelta(days=1))
    other = cast["outsider"].company
    world["sh"] = Project.objects.get(company=other, code="jiangwan")
    make(
        {**world, "company": other, "agent": cast["outsider"]},
        "sh",
        response_seconds=99,
        completion_seconds=99,
    )
    return world


def figures(response: Any) -> dict[str, str]:
    """The summary cards of the page: figure → the text shown."""
    html = response.content.decode()
    return {name: value.strip() for name, value in re.findall(r'data-figure="(\w+)">([^<]*)<', html)}


def table(response: Any, dimension: str) -> dict[str, dict[str, str]]:
    """A dimension's table: row key → column → text (and the row's name, drill and list links)."""
    html = response.content.decode()
    assert f'id="table-{dimension}"' in html, f"no table by {dimension}"
    body = html.split(f'id="table-{dimension}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for key, row in re.findall(r'<tr data-key="([^"]*)">(.*?)</tr>', body, re.S):
        cells = dict(re.findall(r'data-col="(\w+)">([^<]*)<', row))
        name = re.search(r"<td>(?:<a [^>]*>)?([^<]*)<", row)
        cells["name"] = name.group(1) if name else ""
        drill = re.search(r'href="([^"]*)" data-drill', row)
        listing = re.search(r'href="([^"]*)" data-list', row)
        cells["drill"] = drill.group(1).replace("&amp;", "&") if drill else ""
        cells["list"] = listing.group(1).replace("&amp;", "&") if listing else ""
        rows[key] = cells
    return rows


def chart_data(response: Any) -> dict:
    found = re.search(r'<script id="repair-stats-data" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)  # fmt: skip
    assert found, "the page has no chart data"
    return json.loads(found.group(1))


# --- the figures -----------------------------------------------------------------------------------


def test_the_figures_of_the_period(world):
    result = stats.compute(world["company"].pk, stats.StatsQuery.default())
    total = result.total
    assert (total.closed, total.open) == (4, 1)
    assert total.avg_response == pytest.approx((1800 + 3600 + 600) / 3)  # the one without arrival is left out
    assert total.avg_completion == pytest.approx((7200 + 10800 + 3600 + 1200) / 4)
    assert (total.first_fix, total.first_fix_rate) == (2, 0.5)
    assert (total.reopened, total.reopens, total.reopen_rate) == (2, 3, 0.5)
    assert total.avg_satisfaction == pytest.approx(4.0) and total.satisfaction_n == 3
    assert total.stars == [0, 0, 1, 1, 1] and total.unrated == 1
    assert total.texts() == {"avg_response": "33 分钟", "avg_completion": "1 小时 35 分钟", "first_fix_rate": "50.0%",
                             "reopen_rate": "50.0%", "avg_satisfaction": "4.00"}  # fmt: skip

    by = {name: {row.name: row.figures for row in rows} for name, rows in result.rows.items()}
    assert {k: (f.closed, f.open) for k, f in by["project"].items()} == {
        "安居·滨海花园": (3, 1),
        "安居·山语城": (1, 0),
    }
    assert {k: f.closed for k, f in by["category"].items()} == {"水电": 2, "门窗": 1, "电梯": 1}
    assert {k: f.closed for k, f in by["team"].items()} == {"维修一班": 3, FORMULA: 1}
    assert {k: (f.closed, f.open) for k, f in by["technician"].items()} == {
        "张伟": (2, 1), "王强": (1, 0), "未指派技工": (1, 0)}  # fmt: skip
    zhang = by["technician"]["张伟"]
    assert zhang.avg_response == 2700 and zhang.first_fix_rate == 0.5 and zhang.avg_satisfaction == 4
    assert [row.name for row in result.rows["project"]] == [
        "安居·滨海花园",
        "安居·山语城",
    ]  # most closed first


def test_durations_read_in_hours_and_minutes():
    assert stats.duration_text(None) == "—"
    assert stats.duration_text(29) == "0 分钟"
    assert stats.duration_text(45 * 60) == "45 分钟"
    assert stats.duration_text(2 * 3600) == "2 小时"
    assert stats.duration_text(26 * 3600 + 5 * 60 + 20) == "26 小时 5 分钟"
    assert stats.percent_text(2 / 3) == "66.7%" and stats.percent_text(None) == "—"


def test_the_page_shows_the_figures_tables_and_charts(web, world):
    response = web("dispatcher").get("/repairs/stats/")
    assert response.status_code == 200
    assert figures(response) == {"closed": "4", "open": "1", "avg_response": "33 分钟", "avg_completion": "1 小时 35 分钟",
                                 "first_fix_rate": "50.0%", "reopen_rate": "50.0%", "avg_satisfaction": "4.00"}  # fmt: skip
    assert "2026-10-29 至 2026-11-27" in response.content.decode()
    projects = table(response, "project")
    binhai = projects[str(world["binhai"].pk)]
    assert (binhai["closed"], binhai["open"], binhai["first_fix_rate"]) == ("3", "1", "33.3%")
    assert binhai["avg_completion"] == "2 小时" and binhai["avg_satisfaction"] == "4.00"
    technicians = table(response, "technician")
    assert technicians[""]["name"] == "未指派技工" and technicians[""]["drill"] == ""
    data = chart_data(response)
    assert [c["id"] for c in data["charts"]] == [
        "chart-project",
        "chart-category",
        "chart-team",
        "chart-technician",
    ]
    assert data["charts"][0]["closed"] == [3, 1] and data["charts"][0]["open"] == [1, 0]
    assert data["satisfaction"]["values"] == [0, 0, 1, 1, 1, 1]
    assert "vendor/echarts/dist/echarts.min.js" in response.content.decode()


# --- scope, period, drill-down -------------------------------------------------------------------


def test_another_companys_repairs_are_never_counted(web, world):
    mine = web("dispatcher").get("/repairs/stats/")
    assert figures(mine)["closed"] == "4" and str(world["sh"].pk) not in table(mine, "project")
    theirs = web("outsider").get("/repairs/stats/")  # 马克: 客服主管 of company sh
    assert figures(theirs)["closed"] == "1" and figures(theirs)["avg_response"] == "2 分钟"
    assert list(table(theirs, "project")) == [str(world["sh"].pk)]
    # naming sz's estate or team from sh is a bad value, not a peek
    for name, value in (("project", world["binhai"].pk), ("team", world["team"].pk),
                        ("technician", world["technician"].pk)):  # fmt: skip
        refused = web("outsider").get(f"/repairs/stats/?{name}={value}")
        assert refused.status_code == 400 and f'data-field="{name}"' in refused.content.decode()
        assert "安居·滨海花园" not in refused.content.decode() and "维修一班" not in refused.content.decode()


def test_the_period_filter(web, world):
    longer = web("dispatcher").get("/repairs/stats/?from=2026-10-01&to=2026-11-27")
    assert figures(longer)["closed"] == "5" and "(58 天)" in longer.content.decode().replace(
        "（", "("
    ).replace("）", ")")
    only_old = web("dispatcher").get("/repairs/stats/?from=2026-10-18&to=2026-10-18")
    assert figures(only_old)["closed"] == "1" and figures(only_old)["open"] == "0"
    assert figures(only_old)["avg_response"] == "1 分钟"
    empty = web("dispatcher").get("/repairs/stats/?from=2025-01-01&to=2025-01-31")
    assert figures(empty)["closed"] == "0" and figures(empty)["avg_completion"] == "—"
    assert "该期间内没有维修工单。" in empty.content.decode()


def test_the_last_day_of_the_period_counts_to_midnight_shanghai(world):
    from datetime import date

    late = make(
        world, closed_days_ago=None, status="closed", closed_at=datetime(2026, 11, 20, 23, 59, tzinfo=SH)
    )
    query = stats.StatsQuery(start=date(2026, 11, 20), end=date(2026, 11, 20))
    assert stats.compute(world["company"].pk, query).total.closed == 1
    late.closed_at = datetime(2026, 11, 21, 0, 0, tzinfo=SH)
    late.save()
    assert stats.compute(world["company"].pk, query).total.closed == 0


def test_drilling_down_to_an_estate_then_a_category(web, world):
    base = "/repairs/stats/?from=2026-10-29&to=2026-11-27"
    page = web("dispatcher").get(base)
    binhai = world["binhai"].pk
    drill = table(page, "project")[str(binhai)]
    assert drill["drill"] == f"?from=2026-10-29&to=2026-11-27&project={binhai}"
    period = "closed_from=2026-10-29&closed_to=2026-11-27"  # the list's names for the closing days
    assert drill["list"] == f"/repairs/?status=closed&project={binhai}&{period}"
    assert chart_data(page)["charts"][0]["drill"][0] == drill["drill"]

    estate = web("dispatcher").get("/repairs/stats/" + drill["drill"])
    assert estate.status_code == 200 and figures(estate)["closed"] == "3" and figures(estate)["open"] == "1"
    html = estate.content.decode()
    assert 'id="table-project"' not in html and 'data-chip="project"' in html and "安居·滨海花园" in html
    categories = table(estate, "category")
    assert {k: v["closed"] for k, v in categories.items()} == {"plumbing_electric": "2", "doors_windows": "1"}
    assert categories["doors_windows"]["drill"] == (
        f"?from=2026-10-29&to=2026-11-27&project={binhai}&category=doors_windows"
    )
    assert (
        categories["doors_windows"]["list"]
        == f"/repairs/?status=closed&project={binhai}&category=doors_windows&{period}"
    )

    doors = web("dispatcher").get("/repairs/stats/" + categories["doors_windows"]["drill"])
    assert figures(doors)["closed"] == "1" and figures(doors)["reopen_rate"] == "100.0%"
    assert list(table(doors, "technician")) == [str(world["engineer"].pk)]
    # the chip's × drops that filter and keeps the others
    chip = re.search(r'data-chip="category">[^<]*<a [^>]*href="([^"]*)"', doors.content.decode())
    assert chip and chip.group(1).replace("&amp;", "&") == f"?from=2026-10-29&to=2026-11-27&project={binhai}"

    zhang = web("dispatcher").get(f"/repairs/stats/?technician={world['technician'].pk}")
    assert figures(zhang)["closed"] == "2" and 'id="table-technician"' not in zhang.content.decode()
    assert f'name="technician" value="{world["technician"].pk}"' in zhang.content.decode()


@pytest.mark.parametrize("query, field", [
    ("from=2026-13-01", "from"), ("to=yesterday", "to"), ("from=2026-11-27&to=2026-11-01", "to"),
    ("from=2020-01-01&to=2026-11-27", "from"), ("from=1899-01-01", "from"), ("project=abc", "project"),
    ("team=99999999999999999999", "team"), ("category=roof", "category"), ("technician=-1", "technician"),
    ("project=99999999", "project"),
])  # fmt: skip
def test_bad_values_answer_400_with_the_field(web, world, query, field):
    for path in ("/repairs/stats/", "/repairs/stats/export.csv", "/repairs/stats/export.xlsx"):
        response = web("dispatcher").get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert f'data-field="{field}"' in response.content.decode()
        assert 'id="repair-stats-data"' not in response.content.decode()


# --- exports ------------------------------------------------------------------------------------


def test_the_csv_export(web, world):
    response = web("dispatcher").get("/repairs/stats/export.csv?from=2026-10-29&to=2026-11-27")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="repair-stats-20261029-20261127.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["维度", "名称", "已关闭", "未关闭"] and rows[0][-1] == "未评价"
    assert rows[1][2:10] == ["4", "1", "0.56", "1.58", "50.0", "50.0", "3", "4.0"]
    assert rows[1][10:] == ["0", "0", "1", "1", "1", "1"]
    by_name = {(row[0], row[1]): row for row in rows[2:]}
    assert by_name[("维修技工", "张伟")][2:4] == ["2", "1"]
    assert by_name[("维修技工", "张伟")][4] == "0.75"  # (30 + 60 min) / 2 in hours
    # the team named like a formula is text in the file, neutralised with a leading apostrophe
    team_rows = [row for row in rows if row[0] == "维修班组"]
    assert [row[1] for row in team_rows if "HYPERLINK" in row[1]] == ["'" + FORMULA]
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_the_xlsx_export(web, world):
    response = web("dispatcher").get(f"/repairs/stats/export.xlsx?project={world['shanyu'].pk}")
    assert response.status_code == 200 and response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 5
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert summary["统计期间"] == "2026-10-29 – 2026-11-27" and summary["已关闭"] == 1
    assert "安居·山语城" in summary.values()
    teams = book.worksheets[3]
    rows = list(teams.iter_rows(values_only=True))
    assert rows[1][0] == FORMULA and rows[1][1] == 1 and rows[1][3] == pytest.approx(0.17)
    cell = teams.cell(row=2, column=1)
    assert cell.data_type == "s" and cell.quotePrefix  # a string shown as text, never a formula


# --- who may open it -----------------------------------------------------------------------------


@pytest.mark.parametrize("username, status", [
    ("dispatcher", 200), ("agent", 200), ("cs_head", 200), ("head", 200),
    ("technician", 403), ("engineer", 403), ("sales", 403), ("contractor", 403),
])  # fmt: skip
def test_who_may_open_the_statistics(web, world, username, status):
    for path in ("/repairs/stats/", "/repairs/stats/export.csv", "/repairs/stats/export.xlsx"):
        response = web(username).get(path)
        assert response.status_code == status, (username, path)
    menu = 'id="nav-repair-stats"' in web(username).get("/inbox/").content.decode()
    assert menu == (status == 200)


def test_the_anonymous_are_sent_to_the_login_page(web, world):
    response = web(None).get("/repairs/stats/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_runs_the_same_few_queries_however_many_repairs(web, world):
    client = web("dispatcher")
    client.get("/repairs/stats/")  # warm: session, the user's rights

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/repairs/stats/").status_code == 200
        return len(captured)

    before = queries()
    from webapp.accounts.models import User

    for n in range(6):  # more technicians, estates' repairs and teams
        person = User.objects.create(username=f"tech{n}", display_name=f"技工{n}", company=world["company"])
        make(world, "shanyu" if n % 2 else "binhai", technician=person, team=world["lifts"], category="fire",
             response_seconds=60 * n, completion_seconds=600 * n, satisfaction=1 + n % 5)  # fmt: skip
    assert queries() == before
    assert figures(client.get("/repairs/stats/"))["closed"] == "10"
