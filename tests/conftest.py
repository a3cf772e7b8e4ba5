"""The cast and the fixtures every test shares.

The cast is the demo company (webapp/accounts/demo.py): agent 李娜 (客服中心), cs_head 周敏 (客服主管),
engineer 王强 and eng_head 赵刚 (工程部), head 陈总 (公司领导), analyst 刘洋 (业务分析) and outsider
马克 of the other company. Tests talk to the HTTP API as these people.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from engine import calendar, clock, formstore, stamped_cache
from engine.adapters.notification import forget_templates
from engine.spiff import SPEC_CACHE, WORKFLOW_CACHE
from tests.commits import commits_as_in_production

FLOWS = Path(__file__).parent / "flows"
PROCESSES = Path(__file__).parent.parent / "processes"
# Friday 2026-11-27 09:00 in Shanghai.
START = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def _clear_caches() -> None:
    """Forget what the process cached: every test's own rows are rolled back (ids are reused on
    SQLite), and a test may change shared rows with a plain UPDATE that no signal sees."""
    SPEC_CACHE.clear()
    WORKFLOW_CACHE.clear()
    formstore._load.cache_clear()
    calendar.forget()
    forget_templates()
    stamped_cache.clear_all_local()
    from webapp import privacy

    privacy._version_fields.cache_clear()


@pytest.fixture(autouse=True)
def engine_clock() -> Iterator[None]:
    """The engine clock, frozen at START; tests move it with clock.advance()."""
    _clear_caches()
    with clock.frozen_clock(START):
        yield
    _clear_caches()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, the rest in file order. `make test` runs pytest-xdist with --dist
    worksteal: each worker starts on half of this list and an idle one steals from the other's end,
    so with the long fuzzing walks at the front the PostgreSQL run ends on short tests on both
    workers instead of one worker finishing a walk alone. (Browser tests first made the SQLite run
    slower: they stay where they are.)"""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# The shipped flows the tests use most, deployed with the shared rows (as `make run` deploys them).
SHARED_FLOWS = ("complaint", "sales", "sales_change", "movein/batch", "movein/room", "movein/defect")


class SharedRows:
    present = False
    versions: dict[str, int] = {}  # flow folder → id of its version among the shared rows
    hidden = False  # the test deleted them (no_shared_flows)


def build_shared_rows() -> None:
    """What every database test starts from, written once per test database (and again after a test
    that commits for real, whose end empties every table): the notification templates, the cast
    with both companies, their work groups, projects and roles, and the shared flows, deployed by
    the analyst."""
    from engine.adapters.default_templates import ensure_default_templates
    from webapp.accounts.demo import ensure_people

    SPEC_CACHE.clear()
    with clock.frozen_clock(START):
        ensure_default_templates()
        people = ensure_people()
        SharedRows.versions = {
            name: deploy_folder(PROCESSES / name, people["analyst"]).pk for name in SHARED_FLOWS
        }


@pytest.fixture(autouse=True)
def shared_rows(request: pytest.FixtureRequest) -> Iterator[None]:
    """Database tests find the shared rows and run in a transaction rolled back at their end, with
    after-commit callbacks run as production runs them (tests/commits.py). Tests that need real
    commits ask for `transactional_db` (or `@pytest.mark.django_db(transaction=True)`)."""
    names = request.fixturenames
    if "db" not in names and "transactional_db" not in names and "live_server" not in names:
        yield
        return
    marker = request.node.get_closest_marker("django_db")
    committing = (
        "transactional_db" in names
        or "live_server" in names
        or bool(marker and marker.kwargs.get("transaction"))
    )
    if not SharedRows.present:
        request.getfixturevalue("django_db_setup")
        with request.getfixturevalue("django_db_blocker").unblock():
            build_shared_rows()
        SharedRows.present = True
    if committing:
        SharedRows.present = False  # the test's end empties every table
        yield
        return
    try:
        with commits_as_in_production():
            yield
    finally:
        SharedRows.hidden = False


@pytest.fixture(params=["cached", "restored"])
def restore_mode(request: pytest.FixtureRequest) -> Iterator[str]:
    """Process tests run twice: with the workflow cache, and restoring every step from the database."""
    size = WORKFLOW_CACHE.size
    if request.param == "restored":
        WORKFLOW_CACHE.size = 0
    yield request.param
    WORKFLOW_CACHE.size = size
    WORKFLOW_CACHE.clear()


@pytest.fixture
def cast(db: None) -> dict:
    """The cast by username, read afresh for every test (a test may change a person).

    The rows are the shared rows of the session; a test's own changes are rolled back with it."""
    from webapp.accounts.demo import PEOPLE
    from webapp.accounts.models import User

    people = User.objects.select_related("company").in_bulk(
        [p.username for p in PEOPLE], field_name="username"
    )
    return {p.username: people[p.username] for p in PEOPLE}


@pytest.fixture
def no_shared_flows(cast: dict) -> None:
    """For tests of a database where no flow was ever deployed: the shared flows are deleted inside
    the test's transaction (its end brings them back), and flow() deploys anew."""
    from engine.models import ProcessVersion

    ProcessVersion.objects.filter(pk__in=SharedRows.versions.values()).delete()
    SharedRows.hidden = True


@pytest.fixture
def api(cast: dict) -> Callable[[str | None], APIClient]:
    """api("agent") is an HTTP client logged in as the agent; api(None) is anonymous."""

    def client_for(username: str | None) -> APIClient:
        client = APIClient()
        if username:
            client.force_login(cast[username])
        return client

    return client_for


@pytest.fixture
def web(cast: dict) -> Callable[[str | None], Client]:
    """web("agent") is a Django test client (pages, forms) logged in as the agent; web(None) is anonymous."""

    def client_for(username: str | None) -> Client:
        client = Client()
        if username:
            client.force_login(cast[username])
        return client

    return client_for


def deploy_folder(folder: Path, user: object = None):  # type: ignore[no-untyped-def]
    from engine.deploy import deploy_folder as do_deploy

    version, _created = do_deploy(folder, user=user)
    return version


@pytest.fixture
def flow(cast: dict) -> Callable[[str], object]:
    """flow("loop") deploys tests/flows/loop/; flow("complaint") deploys processes/complaint/."""

    def deploy(name: str):  # type: ignore[no-untyped-def]
        from engine.models import ProcessVersion

        if (
            name in SharedRows.versions and not SharedRows.hidden
        ):  # deployed with the shared rows: the same version again
            return ProcessVersion.objects.get(pk=SharedRows.versions[name])
        folder = FLOWS / name if (FLOWS / name).exists() else PROCESSES / name
        return deploy_folder(folder, cast["analyst"])

    return deploy


@contextmanager
def celery_through(broker: str) -> Iterator[None]:
    """Send Celery tasks for real through `broker` (not eagerly) for the duration of a block.

    The app (and kombu, per URL) caches connection and producer pools; they are dropped on the way
    in and out so that no task goes to a broker URL of an earlier test or through a closed pool."""
    from webapp.celery import app

    def drop_pools() -> None:
        from kombu import pools

        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        # kombu keeps producer pools per connection URL process-wide: a closed one would be handed
        # out again for the same URL ("Acquire on closed pool").
        pools.reset()

    old_eager, old_broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, broker
    drop_pools()
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url = old_eager, old_broker
        drop_pools()


# The demo master data (the realestate, residents and meters tests; sales has its own).
@pytest.fixture
def master(cast: dict) -> dict[str, Any]:
    """The demo master data of both companies (rooms, sz's ten customers, payment methods)."""
    from webapp.accounts.models import Company
    from webapp.realestate.demo import ensure_master_demo

    companies = {c.code: c for c in Company.objects.all()}
    for company in companies.values():
        ensure_master_demo(company)
    return companies


@pytest.fixture
def rooms(master: dict[str, Any]) -> list[Any]:
    """sz's rooms of 滨海花园, in code order."""
    from webapp.realestate.models import Room

    return list(Room.objects.filter(company=master["sz"], project__code="binhai").order_by("code"))
