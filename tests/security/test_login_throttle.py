"""Login throttling (webapp/accounts/throttle.py): five failed logins for one username, or from one
address, within 15 minutes lock sign-in for 15 minutes, on the login page (a Chinese message), at
the admin's login and at the API's token endpoint (429). Time moves with time-machine, which the
cache's timeouts follow; nothing sleeps."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

PASSWORD = "anju2026"
LOCKED = "登录失败次数过多"


def login(username: str, password: str, ip: str = "10.0.0.1", client: Client | None = None):  # type: ignore[no-untyped-def]
    client = client or Client(REMOTE_ADDR=ip)
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def token(username: str, password: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def signed_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and response["Location"] == "/inbox/"


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_five_failures_lock_the_username_for_fifteen_minutes(cast, clock):
    for attempt in range(4):
        page = login("agent", "wrong", ip=f"10.0.1.{attempt}")
        assert page.status_code == 200 and LOCKED not in page.content.decode()
    fifth = login("agent", "wrong", ip="10.0.1.9")
    assert fifth.status_code == 200 and LOCKED in fifth.content.decode()
    # the right password, from yet another computer, is refused while the lock lasts
    refused = login("agent", PASSWORD, ip="10.0.1.10")
    assert not signed_in(refused)
    text = refused.content.decode()
    assert "登录失败次数过多，该账号或本机的登录已被暂时锁定，请 15 分钟后再试。" in text
    assert "alert-danger" in text
    assert token("agent", PASSWORD, ip="10.0.1.11").status_code == 429
    clock.shift(timedelta(minutes=14))
    assert not signed_in(login("agent", PASSWORD, ip="10.0.1.12"))
    assert "1 分钟后再试" in login("agent", PASSWORD, ip="10.0.1.12").content.decode()
    clock.shift(timedelta(minutes=1, seconds=1))
    assert signed_in(login("agent", PASSWORD, ip="10.0.1.13"))


def test_another_user_signs_in_while_one_is_locked(cast, clock):
    for attempt in range(5):
        login("agent", f"wrong{attempt}", ip="10.0.2.1")
    assert not signed_in(login("agent", PASSWORD, ip="10.0.2.2"))
    assert signed_in(login("engineer", PASSWORD, ip="10.0.2.2"))
    assert token("engineer", PASSWORD, ip="10.0.2.3").status_code == 200


def test_five_failures_from_one_address_lock_that_address(cast, clock):
    for name in ("agent", "engineer", "head", "sales", "nobody"):  # guessing many accounts at once
        assert not signed_in(login(name, "wrong", ip="10.0.3.1"))
    assert not signed_in(login("cs_head", PASSWORD, ip="10.0.3.1"))
    assert token("cs_head", PASSWORD, ip="10.0.3.1").status_code == 429
    assert signed_in(login("cs_head", PASSWORD, ip="10.0.3.2"))  # the accounts themselves are not locked
    clock.shift(timedelta(minutes=15, seconds=1))
    assert signed_in(login("cs_head", PASSWORD, ip="10.0.3.1"))


def test_failures_are_counted_within_the_window_only(cast, clock):
    for _ in range(4):
        login("agent", "wrong", ip="10.0.4.1")
    clock.shift(timedelta(minutes=15, seconds=1))
    for _ in range(4):
        login("agent", "wrong", ip="10.0.4.1")
    assert signed_in(login("agent", PASSWORD, ip="10.0.4.1"))


def test_a_successful_login_resets_the_counts(cast, clock):
    for _ in range(4):
        login("agent", "wrong", ip="10.0.5.1")
    assert signed_in(login("agent", PASSWORD, ip="10.0.5.1"))
    for _ in range(4):
        login("agent", "wrong", ip="10.0.5.1")
    assert signed_in(login("agent", PASSWORD, ip="10.0.5.1"))


def test_the_token_endpoint_counts_and_answers_429_with_retry_after(cast, clock):
    for attempt in range(4):
        assert token("engineer", "wrong", ip=f"10.0.6.{attempt}").status_code == 400
    fifth = token("engineer", "wrong", ip="10.0.6.8")
    assert fifth.status_code == 429
    assert "登录失败次数过多" in fifth.json()["detail"]
    assert int(fifth["Retry-After"]) == 900
    locked = token("engineer", PASSWORD, ip="10.0.6.9")
    assert locked.status_code == 429 and 0 < int(locked["Retry-After"]) <= 900
    assert not signed_in(login("engineer", PASSWORD, ip="10.0.6.9"))  # one lock for both doors
    clock.shift(timedelta(seconds=901))
    assert token("engineer", PASSWORD, ip="10.0.6.9").status_code == 200


def test_names_differing_in_case_share_one_count(cast, clock):
    for name in ("agent", "Agent", "AGENT", "aGent", "agenT"):
        login(name, "wrong", ip="10.0.7.1")
    assert not signed_in(login("agent", PASSWORD, ip="10.0.7.2"))


def test_the_admin_login_is_throttled_too(cast, clock):
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"}, REMOTE_ADDR="10.0.8.1")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.0.8.2"
    )
    assert response.status_code == 200 and LOCKED in response.content.decode()
    assert not signed_in(login("admin", PASSWORD, ip="10.0.8.3"))


def test_the_right_password_of_a_non_staff_user_at_the_admin_is_not_a_failure(cast, clock):
    for _ in range(6):
        Client().post("/admin/login/", {"username": "agent", "password": PASSWORD}, REMOTE_ADDR="10.0.9.1")
    assert signed_in(login("agent", PASSWORD, ip="10.0.9.1"))


@override_settings(ANJU_LOGIN_MAX_FAILURES=2, ANJU_LOGIN_MAX_FAILURES_PER_IP=3, ANJU_LOGIN_LOCK_SECONDS=60)
def test_the_limits_come_from_the_settings(cast, clock):
    login("agent", "wrong", ip="10.0.10.1")
    response = login("agent", "wrong", ip="10.0.10.2")
    assert "请 1 分钟后再试" in response.content.decode()
    login("x1", "wrong", ip="10.0.10.3")
    login("x2", "wrong", ip="10.0.10.3")
    assert signed_in(login("engineer", PASSWORD, ip="10.0.10.4"))
    login("x3", "wrong", ip="10.0.10.3")
    assert not signed_in(login("engineer", PASSWORD, ip="10.0.10.3"))
    clock.shift(timedelta(seconds=61))
    assert signed_in(login("agent", PASSWORD, ip="10.0.10.5"))


@override_settings(ANJU_LOGIN_IP_HEADER="HTTP_X_FORWARDED_FOR")
def test_behind_a_proxy_the_forwarded_address_is_counted(cast, clock):
    proxy = "10.0.11.1"
    for _ in range(5):
        Client().post(
            "/accounts/login/", {"username": "nobody", "password": "x"}, REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
        )  # fmt: skip
    locked = Client().post("/accounts/login/", {"username": "agent", "password": PASSWORD}, REMOTE_ADDR=proxy,
                           HTTP_X_FORWARDED_FOR="203.0.113.7")  # fmt: skip
    assert not signed_in(locked)
    other = Client().post("/accounts/login/", {"username": "agent", "password": PASSWORD}, REMOTE_ADDR=proxy,
                          HTTP_X_FORWARDED_FOR="203.0.113.8")  # fmt: skip
    assert signed_in(other)


def test_the_settings_come_from_the_environment():
    from django.conf import settings

    assert (settings.ANJU_LOGIN_MAX_FAILURES, settings.ANJU_LOGIN_LOCK_SECONDS) == (5, 900)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.ANJU_LOGIN_MAX_FAILURES, s.ANJU_LOGIN_LOCK_SECONDS, s.ANJU_LOGIN_MAX_FAILURES_PER_IP)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "webapp.settings", "ANJU_LOGIN_MAX_FAILURES": "7",
           "ANJU_LOGIN_LOCK_SECONDS": "120"}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["7", "120", "7"]


class CountingBackend(ModelBackend):
    """The model backend, counting the passwords it checks; each check takes a while (as a real
    hash does) so that every parallel guess is in flight at once."""

    checks = 0
    lock = threading.Lock()

    def authenticate(self, request, username=None, password=None, **kwargs):  # type: ignore[no-untyped-def, override]
        with CountingBackend.lock:
            CountingBackend.checks += 1
        time.sleep(0.2)
        return super().authenticate(request, username=username, password=password, **kwargs)


def guess_at_once(count: int, send) -> list:  # type: ignore[no-untyped-def]
    """`count` wrong passwords at the same moment, each on its own thread and connection."""
    barrier = threading.Barrier(count)
    responses: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            responses[index] = send(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.mark.django_db(transaction=True)  # threads: each has its own database connection
@override_settings(AUTHENTICATION_BACKENDS=[f"{__name__}.CountingBackend"])
@pytest.mark.parametrize("door", ["page", "token"])
def test_thirty_parallel_guesses_check_at_most_five_passwords(cast, door):
    cache.clear()
    CountingBackend.checks = 0
    if door == "page":
        responses = guess_at_once(30, lambda i: login("head", f"wrong{i}", ip=f"10.0.12.{i}"))
        locked = [r for r in responses if LOCKED in r.content.decode()]
    else:
        responses = guess_at_once(30, lambda i: token("head", f"wrong{i}", ip=f"10.0.13.{i}"))
        locked = [r for r in responses if r.status_code == 429]
    assert CountingBackend.checks == 5
    assert len(locked) == 26  # the fifth check started the lock; the other 25 were never checked
    assert not signed_in(login("head", PASSWORD, ip="10.0.12.99"))
    assert CountingBackend.checks == 5


@pytest.mark.django_db(transaction=True)
@override_settings(AUTHENTICATION_BACKENDS=[f"{__name__}.CountingBackend"])
def test_parallel_guesses_from_one_address_check_at_most_its_limit(cast):
    cache.clear()
    CountingBackend.checks = 0
    guess_at_once(30, lambda i: login(f"nobody{i}", "wrong", ip="10.0.14.1"))
    assert CountingBackend.checks == 5
    assert not signed_in(login("engineer", PASSWORD, ip="10.0.14.1"))
    assert signed_in(login("engineer", PASSWORD, ip="10.0.14.2"))
