"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Playwright's sync API keeps an event loop in this thread, which makes Django believe it is in
async code; the ORM calls the test makes between browser steps are plain synchronous code.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from tests.movein.conftest import movein  # noqa: F401  (the move-in fixture, for the move-in browser test)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this folder is a browser test (`make test` runs them once, in the SQLite run)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[Any]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def browser_page(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A Chromium page with a Chinese Accept-Language; a screenshot lands in test-results/ on failure.
    1400 px wide unless the test asks for another width: parametrize "browser_page" indirectly with
    [1440, 390] to walk a journey on a desktop and on a phone."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    # Playwright runs the test in a greenlet with its own context variables, where Django opens new
    # database connections: close ours before and theirs after, or PostgreSQL cannot drop the
    # test database at the end of the run ("being accessed by other users").
    connections.close_all()
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        width = getattr(request, "param", 1400)
        phone = width < 576
        context = browser.new_context(
            locale="zh-CN", viewport={"width": width, "height": 844 if phone else 900}, is_mobile=phone,
            has_touch=phone,
        )  # fmt: skip
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            report = getattr(request.node, "rep_call", None)
            if report is not None and report.failed:
                RESULTS.mkdir(exist_ok=True)
                page.screenshot(path=str(RESULTS / f"{request.node.name}.png"), full_page=True)
            context.close()
            browser.close()
            connections.close_all()  # the ones opened inside Playwright's greenlet
