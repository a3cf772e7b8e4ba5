"""Questionnaires (满意度问卷) in the owner's channel: staff send one to an estate's residents, each
gets an SMS with a link carrying a signed token; the link opens without a sign-in for its
recipient only, answers once (a second answer is refused and changes nothing); a changed or
unknown token is a 404; staff see the response count and the averages."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.community.people import more_residents, staff

from .conftest import MEMBER_MOBILE, OWNER_MOBILE, signed_in_client


@pytest.fixture
def people(residents, master):
    return more_residents(residents, master)


def _survey(client: Client, project) -> int:  # type: ignore[no-untyped-def]
    body = {
        "project": project.pk, "title": "2026年度物业服务满意度", "intro": "感谢您抽空填写。",
        "q1_kind": "rating", "q1_text": "您对保洁服务是否满意？",
        "q2_kind": "choice", "q2_text": "您最常用的缴费方式？", "q2_choices": "线上\n前台\n银行代扣",
        "q3_kind": "text", "q3_text": "其他建议", "q3_optional": "1",
    }  # fmt: skip
    response = client.post("/community/surveys/new/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    return int(re.search(r"/community/surveys/(\d+)/", response["Location"])[1])


@pytest.fixture
def sent(people, cast):
    steward = staff(cast, "steward")
    pk = _survey(steward, people["binhai"])
    assert steward.post(f"/community/surveys/{pk}/send/").status_code == 302
    return {"pk": pk, "steward": steward}


def _link(mobile: str) -> str:
    from engine.models import OutboxMessage

    message = OutboxMessage.objects.get(template_id="SURVEY_INVITATION", recipient=f"+86{mobile}")
    url = re.search(r"https?://\S+", message.content)[0]
    assert url.startswith("http://testserver/my/surveys/")
    return urlsplit(url).path


def _answers(pk: int) -> dict[str, str]:
    from webapp.community.models import Question

    q1, q2, q3 = Question.objects.filter(survey_id=pk).order_by("position")
    return {f"q{q1.pk}": "4", f"q{q2.pk}": "线上", f"q{q3.pk}": "希望增加绿化"}


def test_the_sms_link_answers_once_without_a_sign_in(sent):
    from webapp.community.models import Answer, Recipient

    pk = sent["pk"]
    assert Recipient.objects.filter(survey_id=pk).count() == 4  # 滨海花园's four mobiles
    link = _link(OWNER_MOBILE)
    visitor = Client()
    form = visitor.get(link)
    assert form.status_code == 200 and "您对保洁服务是否满意" in form.content.decode()
    answered = visitor.post(link, _answers(pk))
    assert (answered.status_code, answered["Location"]) == (302, link)
    assert 'id="survey-done"' in visitor.get(link).content.decode()
    again = visitor.post(link, {**_answers(pk), next(iter(_answers(pk))): "1"})
    assert again.status_code == 409 and 'id="survey-refused"' in again.content.decode()
    assert Answer.objects.filter(recipient__survey_id=pk).count() == 3
    assert Answer.objects.get(recipient__mobile=OWNER_MOBILE, rating__isnull=False).rating == 4
    results = sent["steward"].get(f"/community/surveys/{pk}/").content.decode()
    assert re.search(r'id="survey-responses"><strong>[^<]*1[^<]*4', results)
    assert '<span class="average">4.00</span>' in results and "希望增加绿化" in results


def test_a_changed_or_unknown_token_is_a_404(sent):
    from webapp.community.models import Answer

    link = _link(OWNER_MOBILE)
    token = link.split("/")[-2]
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    value, _sep, signature = token.rpartition(":")
    pk_text, _dot, nonce = value.partition(".")
    other_row = f"/my/surveys/{int(pk_text) + 1}.{nonce}:{signature}/"
    for url in (f"/my/surveys/{changed}/", other_row, "/my/surveys/1.abc:def/", "/my/surveys/%00/"):
        client = Client()
        assert client.get(url).status_code == 404, url
        assert client.post(url, _answers(sent["pk"])).status_code == 404, url
    assert not Answer.objects.exists()


def test_a_signed_in_resident_answers_from_my_surveys_and_not_with_anothers_link(sent):
    owner = signed_in_client(OWNER_MOBILE)
    page = owner.get("/my/surveys/").content.decode()
    assert f'data-survey="{sent["pk"]}"' in page
    link = _link(OWNER_MOBILE)
    assert link in page
    assert owner.get(_link(MEMBER_MOBILE)).status_code == 404
    assert owner.post(link, _answers(sent["pk"])).status_code == 302
    assert 'data-answered="1"' in owner.get("/my/surveys/").content.decode()
    assert signed_in_client(MEMBER_MOBILE).get(link).status_code == 404


def test_bad_answers_are_400_with_field_errors_and_nothing_is_saved(sent):
    from webapp.community.models import Answer

    answers = _answers(sent["pk"])
    rating, choice, text = list(answers)
    link = _link(OWNER_MOBILE)
    response = Client().post(link, {rating: "6", choice: "不存在的选项", text: "x\x00"})
    assert response.status_code == 400
    response = Client().post(link, {rating: "6", choice: "不存在的选项"})
    assert response.status_code == 400
    assert set(re.findall(r'data-field="([^"]+)"', response.content.decode())) == {rating, choice}
    assert Client().post(link, {text: "只写建议"}).status_code == 400  # the required ones are missing
    assert not Answer.objects.exists()


def test_a_closed_questionnaire_takes_no_answers(sent):
    from webapp.community.models import Answer

    assert sent["steward"].post(f"/community/surveys/{sent['pk']}/close/").status_code == 302
    link = _link(OWNER_MOBILE)
    assert 'id="survey-closed"' in Client().get(link).content.decode()
    assert Client().post(link, _answers(sent["pk"])).status_code == 409
    assert not Answer.objects.exists()
