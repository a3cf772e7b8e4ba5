"""Small HTTP helpers so tests read like what a client does."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient


def start(
    client: APIClient, process_key: str, data: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    response = client.post(
        "/api/process-instances/", {"process_key": process_key, "data": data or {}, **extra}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def tasks(client: APIClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/tasks/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def only_task(client: APIClient, instance_id: int, **params: Any) -> dict[str, Any]:
    """The one task of the instance in the client's inbox (held by them or claimable by them)."""
    params = {"mine": 1, "claimable": 1, **params}
    found = [t for t in tasks(client, **params) if t["instance"]["id"] == instance_id]
    assert len(found) == 1, found
    return found[0]


def complete(client: APIClient, task_id: int, data: dict[str, Any] | None = None, status: int = 200) -> dict:
    response = client.post(f"/api/tasks/{task_id}/complete/", {"data": data or {}}, format="json")
    assert response.status_code == status, response.content
    return response.json()


def instance(client: APIClient, instance_id: int) -> dict[str, Any]:
    response = client.get(f"/api/process-instances/{instance_id}/")
    assert response.status_code == 200, response.content
    return response.json()


def audit_actions(client: APIClient, instance_id: int) -> list[str]:
    response = client.get(f"/api/process-instances/{instance_id}/audit/", {"page_size": 500})
    assert response.status_code == 200, response.content
    return [e["action"] for e in response.json()["results"]]
