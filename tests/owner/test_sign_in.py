"""Signing in to /my/ with a mobile number and a one-time SMS code (webapp/owner/codes.py)."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client, override_settings

from engine import clock
from webapp.owner.models import LoginCode
from webapp.owner.session import SESSION_KEY

from .conftest import (
    MEMBER_MOBILE,
    OWNER_MOBILE,
    UNKNOWN_MOBILE,
    enter_code,
    request_code,
    sent_codes,
    signed_in_client,
)

SENT = "6 位验证码已通过短信发送至"


def test_a_code_goes_out_by_sms_and_signs_the_resident_in(residents):
    from engine.models import OutboxMessage

    client = Client()
    response = request_code(client, "137 1234 0001")
    assert (response.status_code, response["Location"]) == (302, "/my/login/code/")
    message = OutboxMessage.objects.get(template_id="OWNER_LOGIN_CODE")
    code = message.params["code"]
    assert len(code) == 6 and code.isdigit() and code in message.content
    assert message.recipient == f"+86{OWNER_MOBILE}" and message.channel == "sms"
    assert "5分钟内有效" in message.content
    row = LoginCode.objects.get(mobile=OWNER_MOBILE)
    assert code not in row.code_hash and len(row.code_hash) == 64  # only the HMAC is kept
    page = client.get("/my/login/code/")
    assert page.status_code == 200 and "137****0001" in page.content.decode()
    before = client.session.session_key
    response = enter_code(client, code)
    assert (response.status_code, response["Location"]) == (302, "/my/")
    assert client.session.session_key != before  # the key is rotated at sign-in
    stored = client.session[SESSION_KEY]
    assert stored["mobile"] == OWNER_MOBILE
    assert set(stored["customers"]) == {residents["owner"].pk, residents["owner_sh"].pk}
    assert "_auth_user_id" not in client.session  # no Django user
    assert client.get("/my/").status_code == 200


def test_the_page_is_chinese_and_mobile_first(residents):
    page = Client().get("/my/login/").content.decode()
    assert "发送验证码" in page and 'name="viewport"' in page and "手机号" in page
    assert "navbar" not in page  # its own base, not the staff navigation


def test_a_wrong_code_is_refused_and_the_right_one_still_works(residents):
    client = Client()
    request_code(client, OWNER_MOBILE)
    code = sent_codes(OWNER_MOBILE)[-1]
    wrong = "000000" if code != "000000" else "111111"
    response = enter_code(client, wrong)
    assert response.status_code == 400 and "验证码不正确" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert enter_code(client, "12ab").status_code == 400
    assert enter_code(client, code)["Location"] == "/my/"


def test_an_expired_code_is_refused(residents):
    client = Client()
    request_code(client, OWNER_MOBILE)
    clock.advance(timedelta(minutes=5, seconds=1))
    response = enter_code(client, sent_codes(OWNER_MOBILE)[-1])
    assert response.status_code == 400 and "验证码已过期" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_code_works_just_before_it_expires(residents):
    client = Client()
    request_code(client, OWNER_MOBILE)
    clock.advance(timedelta(minutes=4, seconds=59))
    assert enter_code(client, sent_codes(OWNER_MOBILE)[-1])["Location"] == "/my/"


def test_a_code_is_used_once(residents):
    client = signed_in_client(OWNER_MOBILE)
    code = sent_codes(OWNER_MOBILE)[-1]
    client.post("/my/logout/")
    other = Client()
    other.get("/my/login/")
    session = other.session
    session["owner:pending_mobile"] = OWNER_MOBILE
    session.save()
    response = enter_code(other, code)
    assert response.status_code == 400 and "验证码已使用" in response.content.decode()
    assert SESSION_KEY not in other.session


def test_five_wrong_codes_use_the_code_up(residents):
    client = Client()
    request_code(client, OWNER_MOBILE)
    code = sent_codes(OWNER_MOBILE)[-1]
    wrongs = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 6)]
    for wrong in wrongs[:4]:
        assert "验证码不正确" in enter_code(client, wrong).content.decode()
    assert "错误次数过多" in enter_code(client, wrongs[4]).content.decode()
    response = enter_code(client, code)  # the right code, too late
    assert response.status_code == 400 and "错误次数过多" in response.content.decode()
    assert LoginCode.objects.get(mobile=OWNER_MOBILE).attempts == 5


def test_a_new_code_replaces_the_old_one(residents):
    client = Client()
    request_code(client, OWNER_MOBILE)
    clock.advance(timedelta(seconds=61))
    request_code(client, OWNER_MOBILE)
    first, second = sent_codes(OWNER_MOBILE)
    if first != second:
        assert enter_code(client, first).status_code == 400
    assert enter_code(client, second)["Location"] == "/my/"


def test_a_thousand_wrong_codes_never_sign_in_nor_unlock(residents):
    """From a thousand addresses at once: five tries per code, five codes an hour per number."""
    client = Client()
    request_code(client, OWNER_MOBILE)
    code = sent_codes(OWNER_MOBILE)[-1]
    statuses = set()
    for n in range(1000):
        guess = f"{n:06d}" if f"{n:06d}" != code else "999999"
        statuses.add(enter_code(client, guess, ip=f"10.{n // 250}.{n % 250}.7").status_code)
    assert statuses == {400} and SESSION_KEY not in client.session
    assert LoginCode.objects.get(mobile=OWNER_MOBILE).attempts == 5  # counted until used up, then refused
    assert "错误次数过多" in enter_code(client, code).content.decode()


def test_an_unknown_number_gets_the_same_answer_and_its_code(residents):
    known, unknown = Client(), Client()
    a, b = request_code(known, OWNER_MOBILE), request_code(unknown, UNKNOWN_MOBILE)
    assert (a.status_code, a["Location"]) == (b.status_code, b["Location"]) == (302, "/my/login/code/")
    page_a = known.get("/my/login/code/").content.decode().replace("0001", "XXXX")
    page_b = unknown.get("/my/login/code/").content.decode().replace("9999", "XXXX")
    strip = lambda text: text.split('name="csrfmiddlewaretoken" value="')[0]  # noqa: E731
    assert strip(page_a) == strip(page_b) and SENT in page_b
    assert len(sent_codes(UNKNOWN_MOBILE)) == len(sent_codes(OWNER_MOBILE)) == 1  # only its holder reads it
    assert LoginCode.objects.filter(mobile=UNKNOWN_MOBILE).count() == 1  # the same path: a code row
    # a guess for the unknown number reads like any wrong code
    response = enter_code(unknown, "123456")
    assert response.status_code == 400 and "验证码不正确" in response.content.decode()


def test_a_bad_number_is_a_field_error(residents):
    for text in ("", "12345", "0755-88881234", "1" * 500, "138\x00001380"):
        response = request_code(Client(), text)
        assert response.status_code == 400 and "请输入有效的手机号" in response.content.decode(), text
    assert LoginCode.objects.count() == 0


def test_sign_out_ends_the_resident_session(residents):
    client = signed_in_client(MEMBER_MOBILE)
    before = client.session.session_key
    response = client.post("/my/logout/")
    assert (response.status_code, response["Location"]) == (302, "/my/login/")
    assert SESSION_KEY not in client.session and client.session.session_key != before
    assert client.get("/my/")["Location"] == "/my/login/"
    assert client.get("/my/logout/").status_code == 405  # a GET signs nobody out


def test_signing_in_as_a_resident_leaves_a_staff_sign_in_alone(residents, cast):
    client = Client()
    client.force_login(cast["agent"])
    request_code(client, OWNER_MOBILE)
    enter_code(client, sent_codes(OWNER_MOBILE)[-1])
    assert client.get("/my/").status_code == 200
    client.post("/my/logout/")
    assert client.get("/inbox/").status_code == 200


@override_settings(ANJU_OWNER_CODE_SECONDS=60)
def test_the_code_life_comes_from_the_settings(residents):
    from engine.models import OutboxMessage

    client = Client()
    request_code(client, OWNER_MOBILE)
    assert "1分钟内有效" in OutboxMessage.objects.get(template_id="OWNER_LOGIN_CODE").content
    clock.advance(timedelta(seconds=61))
    assert "验证码已过期" in enter_code(client, sent_codes(OWNER_MOBILE)[-1]).content.decode()


def test_the_settings_have_their_defaults():
    from django.conf import settings

    assert (settings.ANJU_OWNER_CODE_SECONDS, settings.ANJU_OWNER_CODE_MAX_ATTEMPTS) == (300, 5)
    assert (settings.ANJU_OWNER_SENDS_PER_MINUTE, settings.ANJU_OWNER_SENDS_PER_HOUR) == (1, 5)
    assert settings.ANJU_OWNER_SENDS_PER_IP_HOUR == 20


def test_the_forms_need_the_csrf_token(residents):
    client = Client(enforce_csrf_checks=True)
    for url, body in (("/my/login/", {"mobile": OWNER_MOBILE}), ("/my/login/code/", {"code": "123456"}),
                      ("/my/logout/", {})):  # fmt: skip
        response = client.post(url, body)
        assert response.status_code == 403 and "CSRF" in response.content.decode(), url
    assert sent_codes(OWNER_MOBILE) == []
    client.get("/my/login/")
    token = client.cookies["csrftoken"].value
    response = client.post("/my/login/", {"mobile": OWNER_MOBILE, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and len(sent_codes(OWNER_MOBILE)) == 1
