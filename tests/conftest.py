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

import pytest
from django.test import Client
from rest_framework.test import APIClient

from engine import clock, formstore
from engine.spiff import SPEC_CACHE, WORKFLOW_CACHE

FLOWS = Path(__file__).parent / "flows"
PROCESSES = Path(__file__).parent.parent / "processes"
# Friday 2026-11-27 09:00 in Shanghai.
START = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def _clear_caches() -> None:
    # Versions are immutable in production, but the test database is emptied between tests.
    SPEC_CACHE._items.clear()
    WORKFLOW_CACHE.clear()
    formstore._load.cache_clear()


@pytest.fixture(autouse=True)
def engine_clock() -> Iterator[None]:
    """The engine clock, frozen at START; tests move it with clock.advance()."""
    _clear_caches()
    with clock.frozen_clock(START):
        yield
    _clear_caches()


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
def cast(transactional_db: None) -> dict:
    from engine.adapters.default_templates import ensure_default_templates
    from webapp.accounts.demo import ensure_people

    ensure_default_templates()
    return ensure_people()


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
        folder = FLOWS / name if (FLOWS / name).exists() else PROCESSES / name
        return deploy_folder(folder, cast["analyst"])

    return deploy


@contextmanager
def celery_through(broker: str) -> Iterator[None]:
    """Send Celery tasks for real through `broker` (not eagerly) for the duration of a block.

    The app caches its connection and producer pools; they are dropped on the way in and out so
    that no task goes to a broker URL of an earlier test."""
    from webapp.celery import app

    def drop_pools() -> None:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    old_eager, old_broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, broker
    drop_pools()
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url = old_eager, old_broker
        drop_pools()
