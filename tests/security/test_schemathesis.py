"""schemathesis against /api/schema/: every operation of the OpenAPI schema, with generated valid
and invalid requests, in-process through the WSGI app, must never answer a server error.

Run as a real user with a token (周敏 cs_head, given every role, so the designer, migration and
audit operations run past their permission checks) and as 马克 (outsider of company sh). Path ids
are sometimes generated and sometimes the id of a real object of company sz (the world of
conftest.py), so requests reach the code behind the lookups. Unsafe methods run too: inside the
test database (pytest-django's transactional one, emptied afterwards), with mail going to
Django's locmem outbox and SMS to the database outbox only (engine/adapters/notification.py).

Deterministic (derandomize) and bounded: EXAMPLES valid and EXAMPLES invalid requests per
operation for the user, fewer for the outsider; no shrinking, so a failure shows the first
request that failed.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

import pytest
import schemathesis
from django.core import mail
from django.test import override_settings
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode

from .routes import KINDS

# More to dig deeper locally: ANJU_SCHEMATHESIS_EXAMPLES=200 .venv/bin/python -m pytest tests/security/test_schemathesis.py
EXAMPLES = int(os.environ.get("ANJU_SCHEMATHESIS_EXAMPLES", "20"))
OUTSIDER_EXAMPLES = max(1, EXAMPLES // 3)
BUDGET_SECONDS = 300
# The operations are walked in PARTS tests (every PARTS-th operation each), so that pytest-xdist's
# workers share the walk instead of one of them doing it all at the end of the run.
PARTS = 2


def _schema(token: str) -> Any:
    from webapp.wsgi import application

    return schemathesis.openapi.from_wsgi(
        "/api/schema/", application, headers={"Authorization": f"Token {token}"}
    )


def _kind_of(path: str) -> str | None:
    """The kind of object an operation's {id}/{key} names, by resolving its path."""
    sample = re.sub(r"\{[^}]+\}", "1", path)
    try:
        return KINDS.get(resolve(sample).view_name)
    except Exception:
        return None


def _explore(strategy: Any, examples: int, send: Any) -> tuple[str | None, int]:
    """Up to `examples` cases of `strategy`, each sent; returns (the first server error, requests)."""
    first: list[str] = []
    sent = 0

    @hypothesis_settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case: Any) -> None:
        nonlocal sent
        sent += 1
        failure = send(case)
        if failure and not first:
            first.append(failure)

    check()
    return (first[0] if first else None), sent


def _run(
    schema: Any, token: str, ids: dict[str, Any], examples: int, errors: list[str], part: int
) -> tuple[list[str], int, int]:
    """Every PARTS-th operation from `part` on × (valid, invalid) requests; returns (server errors,
    operations, requests)."""
    headers = {"Authorization": f"Token {token}"}
    failures: list[str] = []
    requests = operations = 0

    def send(case: Any) -> str | None:
        del errors[:]
        response = case.call(headers=headers)
        if response.status_code < 500:
            return None
        return (
            f"{case.method} {case.formatted_path} → {response.status_code} {errors[-1:]}: "
            f"query={case.query!r} body={str(case.body)[:300]!r}"
        )

    for index, result in enumerate(schema.get_all_operations()):
        if index % PARTS != part:
            continue
        operation = result.ok()
        operations += 1
        kind = _kind_of(operation.path)
        params = [p.name for p in operation.path_parameters]
        real = {params[0]: ids[kind]} if kind is not None and params else {}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies = [operation.as_strategy(generation_mode=mode)]
            if real:
                strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=real))
            try:
                failure, sent = _explore(st.one_of(*strategies), examples, send)
            except Unsatisfiable:  # nothing to make invalid (e.g. no parameters and no body)
                assert mode is GenerationMode.NEGATIVE, operation.label
                continue
            requests += sent
            if failure:
                failures.append(f"[{mode.value}] {failure}")
    return failures, operations, requests


@pytest.fixture
def power_user(world: dict[str, Any], cast: dict) -> Any:
    from django.contrib.auth.models import Group

    user = cast["cs_head"]
    user.groups.add(*Group.objects.all())
    return user


@pytest.mark.slow
# Requests go through the WSGI handler, whose request_finished closes the connection: real commits.
@pytest.mark.django_db(transaction=True)
@override_settings(
    ANJU_NOTIFY_MAIL_DELIVERY=False, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
)
@pytest.mark.parametrize("part", range(PARTS))
def test_no_operation_answers_a_server_error(world, power_user, cast, server_errors, part):
    began = time.monotonic()
    token = Token.objects.create(user=power_user).key
    schema = _schema(token)
    failures, operations, requests = _run(schema, token, world["ids"], EXAMPLES, server_errors, part)
    outsider = Token.objects.create(user=cast["outsider"]).key
    more, _ops, outsider_requests = _run(
        _schema(outsider), outsider, world["ids"], OUTSIDER_EXAMPLES, server_errors, part
    )
    failures += [f"(outsider) {f}" for f in more]
    elapsed = time.monotonic() - began
    print(f"schemathesis: {operations} operations, {requests + outsider_requests} requests, {elapsed:.0f} s")
    assert operations > 60 // PARTS
    assert not failures, "server errors:\n" + "\n".join(failures)
    assert all(m.connection is None or "locmem" in type(m.connection).__module__ for m in mail.outbox)
    assert elapsed < BUDGET_SECONDS * max(1, EXAMPLES / 20)
