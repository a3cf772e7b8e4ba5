"""The staff pages of community notices and questionnaires: who may open them (the steward and
customer service; 403 for the others, 404 for another company's), bad input (400 with field
errors, nothing saved), changing and withdrawing (audited)."""

from __future__ import annotations

import pytest

from tests.owner.conftest import fresh_cache, residents  # noqa: F401  (fixtures)

from .people import field_errors, more_residents, new_notice_id, publish, staff


@pytest.fixture
def people(residents, master):  # noqa: F811
    return more_residents(residents, master)


def test_only_holders_of_the_rights_open_the_pages(people, cast):
    pk = new_notice_id(publish(staff(cast, "steward"), people["binhai"]))
    for username in ("steward", "agent", "cs_head"):
        client = staff(cast, username)
        for url in ("/community/notices/", "/community/notices/new/", f"/community/notices/{pk}/",
                    "/community/surveys/", "/community/surveys/new/"):  # fmt: skip
            assert client.get(url).status_code == 200, (username, url)
    for username in ("engineer", "cashier", "technician"):
        client = staff(cast, username)
        for url in ("/community/notices/", f"/community/notices/{pk}/", "/community/surveys/"):
            assert client.get(url).status_code == 403, (username, url)
        assert publish(client, people["binhai"]).status_code == 403
        assert client.post(f"/community/notices/{pk}/withdraw/").status_code == 403
    outsider = staff(cast, "outsider")  # 物业 of the Shanghai company
    assert outsider.get(f"/community/notices/{pk}/").status_code == 404
    assert outsider.post(f"/community/notices/{pk}/withdraw/").status_code == 404
    assert publish(outsider, people["binhai"]).status_code == 400  # not an estate of his company


def test_the_menu_shows_the_pages_to_the_steward_only(people, cast):
    assert 'id="nav-notices"' in staff(cast, "steward").get("/inbox/").content.decode()
    assert 'id="nav-notices"' not in staff(cast, "engineer").get("/inbox/").content.decode()


def test_bad_notices_are_400_with_field_errors(people, cast):
    from webapp.community.models import Notice

    steward = staff(cast, "steward")
    cases = [
        ({"title": ""}, {"title"}),
        ({"body": "  "}, {"body"}),
        ({"publish_at": "明天"}, {"publish_at"}),
        ({"ends_on": "2026-13-01"}, {"ends_on"}),
        ({"publish_at": "2026-12-05T08:00", "ends_on": "2026-12-01"}, {"ends_on"}),
        ({"buildings": [people["b5"].pk, 99999999]}, {"buildings"}),
        ({"project": "x"}, {"project"}),
        ({"title": "x" * 101}, {"title"}),
        ({"title": "停水\x00"}, {"title"}),
    ]
    for fields, wanted in cases:
        response = publish(steward, people["binhai"], **fields)
        assert response.status_code == 400, fields
        assert field_errors(response) == wanted, (fields, field_errors(response))
    shanyu_building = people["shanyu"].phases.get().buildings.first()
    response = publish(steward, people["binhai"], buildings=[shanyu_building.pk])
    assert response.status_code == 400 and field_errors(response) == {"buildings"}
    assert not Notice.objects.exists()


def test_changing_and_withdrawing_a_notice_is_audited(people, cast):
    from engine.models import AuditEvent

    steward = staff(cast, "steward")
    pk = new_notice_id(publish(steward, people["binhai"]))
    form = steward.get(f"/community/notices/{pk}/edit/")
    assert form.status_code == 200 and "停水通知" in form.content.decode()
    changed = steward.post(f"/community/notices/{pk}/edit/", {
        "project": people["binhai"].pk, "title": "停水通知（更正）", "body": "改为12月2日。",
        "buildings": [people["b3"].pk],
    })  # fmt: skip
    assert changed.status_code == 302
    assert steward.post(f"/community/notices/{pk}/withdraw/").status_code == 302
    assert steward.post(f"/community/notices/{pk}/withdraw/").status_code == 409
    again = steward.post(
        f"/community/notices/{pk}/edit/", {"project": people["binhai"].pk, "title": "再改", "body": "x"}
    )
    assert again.status_code == 409
    events = AuditEvent.objects.filter(element_id=f"community.notice:{pk}").order_by("pk")
    assert [e.details["action"] for e in events] == ["publish", "change", "withdraw"]
    assert events[1].details["title"] == "停水通知（更正）" and events[1].details["buildings"] == ["3栋"]
    assert {e.actor_id for e in events} == {cast["steward"].pk}


def test_bad_questionnaires_are_400_with_field_errors(people, cast):
    from webapp.community.models import Survey

    steward = staff(cast, "steward")
    base = {"project": people["binhai"].pk, "title": "问卷"}
    cases = [
        ({}, {"q1_text"}),
        ({"q1_kind": "rating", "q1_text": "满意吗", "title": ""}, {"title"}),
        ({"q1_kind": "choice", "q1_text": "选一个", "q1_choices": "只有一个"}, {"q1_choices"}),
        ({"q1_kind": "choice", "q1_text": "选一个", "q1_choices": "甲\n甲"}, {"q1_choices"}),
        ({"q2_kind": "essay", "q2_text": "题型不对"}, {"q2_kind"}),
        ({"q1_kind": "rating", "q1_text": "满意吗", "project": "0"}, {"project"}),
    ]
    for fields, wanted in cases:
        response = steward.post("/community/surveys/new/", {**base, **fields})
        assert response.status_code == 400, fields
        assert field_errors(response) == wanted, (fields, field_errors(response))
    assert not Survey.objects.exists()


def test_a_questionnaire_is_sent_once_and_not_to_an_empty_estate(master, cast):
    from engine.models import AuditEvent, OutboxMessage
    from webapp.accounts.models import Project
    from webapp.community.models import Survey

    steward = staff(cast, "steward")
    shanyu = Project.objects.get(company=master["sz"], code="shanyu")  # nobody lives there in this test
    body = {"project": shanyu.pk, "title": "问卷", "q1_kind": "rating", "q1_text": "满意吗"}
    created = steward.post("/community/surveys/new/", body)
    assert created.status_code == 302
    pk = Survey.objects.get().pk
    response = steward.post(f"/community/surveys/{pk}/send/")
    assert response.status_code == 400 and field_errors(response) == {"project"}
    assert Survey.objects.get().status == "draft" and not OutboxMessage.objects.filter(
        template_id="SURVEY_INVITATION"
    )
    assert staff(cast, "engineer").post(f"/community/surveys/{pk}/send/").status_code == 403
    assert staff(cast, "outsider").get(f"/community/surveys/{pk}/").status_code == 404
    actions = [e.details["action"] for e in AuditEvent.objects.filter(element_id=f"community.survey:{pk}")]
    assert actions == ["create"]


def test_the_invitations_go_out_after_the_commit_once_per_mobile(people, cast):
    from engine.models import OutboxMessage
    from webapp.community.models import Survey
    from webapp.community.surveys import deliver_invitations

    steward = staff(cast, "steward")
    body = {"project": people["binhai"].pk, "title": "问卷", "q1_kind": "rating", "q1_text": "满意吗"}
    assert steward.post("/community/surveys/new/", body).status_code == 302
    pk = Survey.objects.get().pk
    assert steward.post(f"/community/surveys/{pk}/send/").status_code == 302
    invitations = OutboxMessage.objects.filter(template_id="SURVEY_INVITATION")
    assert invitations.count() == 4 and len({m.recipient for m in invitations}) == 4
    assert deliver_invitations(pk, "http://testserver/") == 4  # a redelivered task sends nothing new
    assert invitations.count() == 4
    assert steward.post(f"/community/surveys/{pk}/send/").status_code == 409


def test_the_demo_publishes_one_notice_per_estate_once(master, cast):
    from webapp.accounts.models import Project
    from webapp.community.demo import load_demo_community
    from webapp.community.models import Notice

    assert load_demo_community(cast) == Project.objects.filter(company__code__in=["sz", "sh"]).count() == 3
    assert load_demo_community(cast) == 0
    assert {n.project.company.code: n.created_by.username for n in Notice.objects.all()} == {
        "sz": "steward",
        "sh": "outsider",
    }
