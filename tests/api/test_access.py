"""Company scoping: an outsider of another company gets 404 for everything of ours; the
anonymous get nothing; tokens work like sessions."""

import pytest
from rest_framework.test import APIClient

from engine.models import Incident
from tests.complaint_data import INTAKE
from tests.helpers import complete, only_task, start


@pytest.fixture
def ours(api, flow):  # type: ignore[no-untyped-def]
    flow("complaint")
    flow("scripts")
    agent = api("agent")
    complaint = start(agent, "complaint", INTAKE)
    broken = start(agent, "scripts")
    complete(agent, only_task(agent, broken["id"])["id"], {"value": 0})
    return {
        "instance": complaint["id"],
        "task": only_task(agent, complaint["id"])["id"],
        "incident": Incident.objects.get(instance_id=broken["id"]).pk,
    }


def urls(ours: dict) -> list[tuple[str, str]]:
    return [
        ("get", f"/api/process-instances/{ours['instance']}/"),
        ("get", f"/api/process-instances/{ours['instance']}/audit/"),
        ("get", f"/api/tasks/{ours['task']}/"),
        ("post", f"/api/tasks/{ours['task']}/claim/"),
        ("post", f"/api/tasks/{ours['task']}/unclaim/"),
        ("post", f"/api/tasks/{ours['task']}/complete/"),
        ("get", f"/api/incidents/{ours['incident']}/"),
        ("post", f"/api/incidents/{ours['incident']}/retry/"),
    ]


def test_an_outsider_gets_404_for_everything_of_another_company(api, ours):
    outsider = api("outsider")  # 客服主管 of the Shanghai company: may see all of *its* company
    for method, url in urls(ours):
        response = getattr(outsider, method)(url, {}, format="json")
        assert response.status_code == 404, (url, response.status_code)
    assert outsider.get("/api/process-instances/").json()["count"] == 0
    assert outsider.get("/api/tasks/").json()["count"] == 0
    assert outsider.get("/api/incidents/").json()["count"] == 0


def test_the_anonymous_get_401_with_the_token_challenge(api, ours):
    anonymous = api(None)
    for method, url in [*urls(ours), ("get", "/api/tasks/"), ("post", "/api/process-instances/")]:
        response = getattr(anonymous, method)(url, {}, format="json")
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token", url


def test_a_bad_token_is_401_and_the_session_still_needs_its_csrf_token(api, cast, ours):
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get("/api/tasks/").status_code == 401
    browser = APIClient(enforce_csrf_checks=True)  # the pages' fetch calls: session cookie + CSRF
    browser.force_login(cast["agent"])
    assert browser.get("/api/tasks/").status_code == 200
    refused = browser.post("/api/process-instances/", {"process_key": "scripts"}, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]


def test_unknown_ids_are_404_not_500(api, ours):
    agent = api("agent")
    for url in ("/api/tasks/999999/", "/api/tasks/abc/", "/api/process-instances/0/", "/api/incidents/-1/"):
        assert agent.get(url).status_code == 404, url


def test_starting_an_unknown_flow_is_400(api, ours):
    response = api("agent").post(
        "/api/process-instances/", {"process_key": "nope", "data": {}}, format="json"
    )
    assert response.status_code == 400 and "nope" in response.json()["detail"]


def test_token_authentication(api, cast, ours):
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": "engineer", "password": "anju2026"})
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token " + response.json()["token"])
    me = client.get("/api/me/").json()
    assert me["name"] == "王强" and me["groups"] == ["工程部"] and me["company"] == "安居地产深圳公司"
    assert client.post("/api/auth/token/", {"username": "engineer", "password": "wrong"}).status_code == 400


def test_openapi_schema_and_docs_are_served(api, cast):
    client = api("agent")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/process-definitions/", "/api/process-instances/", "/api/process-instances/{id}/audit/",
                 "/api/tasks/", "/api/tasks/{id}/claim/", "/api/tasks/{id}/unclaim/", "/api/tasks/{id}/complete/",
                 "/api/incidents/{id}/retry/"):  # fmt: skip
        assert path in paths, path
    assert client.get("/api/docs/").status_code == 200


def test_odd_query_strings_are_never_a_500(api, ours):
    agent = api("agent")
    for url in ("/api/tasks/?q=%00", "/api/tasks/?name=%00x", "/api/process-instances/?q=%00",
                "/api/tasks/?due_before=2026-13-45T99:00:00%2B08:00", "/api/tasks/?page=abc",
                "/api/tasks/?page_size=-1", "/api/process-definitions/?key=%00"):  # fmt: skip
        assert agent.get(url).status_code < 500, url
