"""Sending codes is throttled per number (1 a minute, 5 an hour) and per client address (20 an hour),
for numbers on file and not alike; checking codes per address (60 an hour). The windows follow
the engine clock (webapp/owner/codes.py)."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client, override_settings

from engine import clock

from .conftest import OWNER_MOBILE, UNKNOWN_MOBILE, enter_code, request_code, sent_codes

THROTTLED = "请求过于频繁"


def test_one_code_a_minute_per_number(residents):
    assert request_code(Client(), OWNER_MOBILE, ip="10.9.1.1").status_code == 302
    again = request_code(Client(), OWNER_MOBILE, ip="10.9.1.2")  # another computer, same number
    assert again.status_code == 400 and THROTTLED in again.content.decode()
    assert len(sent_codes(OWNER_MOBILE)) == 1
    clock.advance(timedelta(seconds=61))
    assert request_code(Client(), OWNER_MOBILE, ip="10.9.1.3").status_code == 302
    assert len(sent_codes(OWNER_MOBILE)) == 2


def test_five_codes_an_hour_per_number(residents):
    clock.set_time(clock.now().replace(minute=0, second=0))  # the start of an hour's window
    for n in range(5):
        assert request_code(Client(), OWNER_MOBILE, ip=f"10.9.2.{n}").status_code == 302
        clock.advance(timedelta(seconds=61))
    sixth = request_code(Client(), OWNER_MOBILE, ip="10.9.2.9")
    assert (
        sixth.status_code == 400
        and THROTTLED in sixth.content.decode()
        and "分钟后再试" in sixth.content.decode()
    )
    assert len(sent_codes(OWNER_MOBILE)) == 5
    clock.advance(timedelta(hours=1))
    assert request_code(Client(), OWNER_MOBILE, ip="10.9.2.9").status_code == 302


def test_twenty_codes_an_hour_per_address(residents):
    clock.set_time(clock.now().replace(minute=0, second=0))
    for n in range(20):
        assert request_code(Client(), f"1371234{n + 100:04d}", ip="10.9.3.1").status_code == 302
    refused = request_code(Client(), OWNER_MOBILE, ip="10.9.3.1")
    assert refused.status_code == 400 and THROTTLED in refused.content.decode()
    assert sent_codes(OWNER_MOBILE) == []
    assert request_code(Client(), OWNER_MOBILE, ip="10.9.3.2").status_code == 302  # another address


def test_unknown_numbers_are_throttled_alike(residents):
    assert request_code(Client(), UNKNOWN_MOBILE).status_code == 302
    again = request_code(Client(), UNKNOWN_MOBILE)
    assert again.status_code == 400 and THROTTLED in again.content.decode()


@override_settings(ANJU_OWNER_VERIFIES_PER_IP_HOUR=3)
def test_code_checks_are_throttled_per_address(residents):
    clock.set_time(clock.now().replace(minute=0, second=0))
    client = Client()
    request_code(client, OWNER_MOBILE, ip="10.9.4.1")
    code = sent_codes(OWNER_MOBILE)[-1]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        assert enter_code(client, wrong, ip="10.9.4.1").status_code == 400
    refused = enter_code(client, code, ip="10.9.4.1")
    assert refused.status_code == 400 and THROTTLED in refused.content.decode()
    assert enter_code(client, code, ip="10.9.4.2")["Location"] == "/my/"


@override_settings(ANJU_OWNER_SENDS_PER_MINUTE=2, ANJU_OWNER_SENDS_PER_HOUR=2)
def test_the_limits_come_from_the_settings(residents):
    clock.set_time(clock.now().replace(minute=0, second=0))
    assert request_code(Client(), OWNER_MOBILE).status_code == 302
    assert request_code(Client(), OWNER_MOBILE).status_code == 302
    assert request_code(Client(), OWNER_MOBILE).status_code == 400
