"""Signing in and out; every page but the login page needs a signed-in user."""

import pytest

PAGES = ["/", "/inbox/", "/tasks/1/", "/instances/", "/instances/1/", "/issues/new/", "/start/complaint/"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(web, url):
    response = web(None).get(url, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    assert response.status_code == 200


def test_anonymous_posts_are_sent_to_the_login_page(web):
    response = web(None).post("/tasks/1/claim/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_login_page_signs_in_with_the_demo_password(web):
    client = web(None)
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "登录" in page.content.decode()
    assert "anju2026" not in page.content.decode()
    response = client.post("/accounts/login/", {"username": "agent", "password": "anju2026"})
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"
    inbox = client.get("/inbox/")
    assert inbox.status_code == 200
    assert "李娜" in inbox.content.decode()


def test_a_wrong_password_shows_an_error(web):
    response = web(None).post("/accounts/login/", {"username": "agent", "password": "wrong"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()


def test_the_login_page_keeps_where_to_go_next(web):
    client = web(None)
    response = client.post(
        "/accounts/login/", {"username": "agent", "password": "anju2026", "next": "/instances/"}
    )
    assert response["Location"] == "/instances/"


def test_logging_out_takes_a_post(web):
    client = web("agent")
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/inbox/").status_code == 302


def test_the_root_redirects_to_the_inbox(web):
    response = web("agent").get("/")
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"


def test_the_header_links_admin_only_for_staff(web, cast):
    assert "/admin/" not in web("agent").get("/inbox/").content.decode()
    cast["agent"].is_staff = True
    cast["agent"].save()
    assert "/admin/" in web("agent").get("/inbox/").content.decode()


def test_the_header_has_the_main_links_and_a_csrf_protected_logout(web):
    html = web("agent").get("/inbox/").content.decode()
    for text in ("我的待办", "记录客户问题", "流程实例", "API 文档", "/api/docs/", "退出"):
        assert text in html
    assert 'action="/accounts/logout/"' in html
    assert "csrfmiddlewaretoken" in html
