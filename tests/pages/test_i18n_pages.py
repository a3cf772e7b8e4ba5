"""Chinese first; English through the header's language switch."""

from django.utils import translation


def test_pages_are_chinese_by_default(web):
    html = web("agent").get("/inbox/").content.decode()
    assert "我的待办" in html
    assert "可认领" in html
    assert 'lang="zh-hans"' in html


def test_the_language_switch_shows_english_labels(web, complaint):
    complaint()
    client = web("agent")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/inbox/"})
    assert response.status_code == 302
    html = client.get("/inbox/").content.decode()
    assert "Inbox" in html
    assert "Claimable" in html
    assert "Record customer issue" in html
    assert "我的待办" not in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/inbox/"})
    assert "我的待办" in client.get("/inbox/").content.decode()


def test_engine_messages_have_chinese_translations():
    with translation.override("zh-hans"):
        assert translation.gettext("This task is already claimed by %(who)s.") == "该任务已被%(who)s认领。"
        assert (
            translation.gettext("You are not in the group this task belongs to.")
            == "您不在该任务所属的工作组中。"
        )


def test_chinese_is_the_default_whatever_the_browser_asks(client, cast):
    client.force_login(cast["agent"])
    page = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "我的待办" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/inbox/"})
    assert "Inbox" in client.get("/inbox/").content.decode()
