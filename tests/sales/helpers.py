"""What the sales tests do through the HTTP API, step by step."""

from __future__ import annotations

from typing import Any

from tests.conftest import START
from tests.helpers import complete, only_task, start
from tests.sales.conftest import RECEPTION, subscription_data


def reception(client: Any, master: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The salesperson receives 张三 at 安居·滨海花园 and he decides to subscribe."""
    data = {**RECEPTION, "project_id": master["project"].pk, "customer_id": master["zhang"].pk, **overrides}
    return start(client, "sales", data)


def work(
    client: Any, instance_id: int, data: dict[str, Any], name: str | None = None, status: int = 200
) -> Any:
    """Claim the instance's one open task in the client's inbox and complete it."""
    task = only_task(client, instance_id)
    if name is not None:
        assert task["name"] == name, task
    if task["assignee"] is None:
        assert client.post(f"/api/tasks/{task['id']}/claim/").status_code == 200
    return complete(client, task["id"], data, status=status)


def subscribed(client: Any, master: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """Reception and subscription (认购登记) of room BH-3-1-1502 by the client's user."""
    started = reception(client, master)
    work(client, started["id"], subscription_data(master, **overrides), "认购登记")
    return started


def days(n: int, hour: int = 9, minute: int = 0) -> Any:
    """START's day + n at hh:mm Shanghai time (START is Friday 2026-11-27 09:00)."""
    from datetime import timedelta

    return START + timedelta(days=n, hours=hour - 9, minutes=minute)


def task_data(client: Any, instance_id: int, *, reveal: bool = False) -> dict[str, Any]:
    """The data of the instance's one open task in the client's inbox (what the work ahead sees;
    with parallel branches the instance's own data view may show another branch). Personal data
    is masked unless `reveal` (?reveal=1, for holders of the personal-data permission; audited)."""
    task = only_task(client, instance_id)
    response = client.get(f"/api/tasks/{task['id']}/", {"reveal": 1} if reveal else {})
    assert response.status_code == 200, response.content
    return response.json()["data"]
