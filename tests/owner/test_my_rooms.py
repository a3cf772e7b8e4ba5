"""My rooms (/my/): exactly the rooms the register links to the verified mobile (current
residencies of its customer rows, in any company); any other room is a 404."""

from __future__ import annotations

from django.test import Client

from .conftest import MEMBER_MOBILE, OWNER_MOBILE, UNLINKED_MOBILE, signed_in_client


def _shown_rooms(page: str) -> set[int]:
    import re

    return {int(pk) for pk in re.findall(r'data-room="(\d+)"', page)}


def test_the_owner_sees_their_rooms_in_both_companies(residents):
    client = signed_in_client(OWNER_MOBILE)
    page = client.get("/my/").content.decode()
    assert _shown_rooms(page) == {room.pk for room in residents["owner_rooms"]}
    sz_room, sh_room = residents["owner_rooms"]
    assert sz_room.code in page and sz_room.project.name in page and "业主" in page
    assert sh_room.code in page and "租户" in page
    assert residents["ended_room"].code not in page  # moved out
    detail = client.get(f"/my/rooms/{sz_room.pk}/")
    assert detail.status_code == 200 and sz_room.code in detail.content.decode()


def test_a_household_member_sees_the_household_room(residents):
    client = signed_in_client(MEMBER_MOBILE)
    page = client.get("/my/").content.decode()
    assert _shown_rooms(page) == {residents["member_room"].pk} and "家庭成员" in page


def test_another_room_is_a_404(residents):
    client = signed_in_client(MEMBER_MOBILE)
    for room in (*residents["owner_rooms"], residents["ended_room"], residents["other_room"]):
        assert client.get(f"/my/rooms/{room.pk}/").status_code == 404
    assert client.get("/my/rooms/99999999999999999999/").status_code == 404
    owner = signed_in_client(OWNER_MOBILE)
    assert owner.get(f"/my/rooms/{residents['member_room'].pk}/").status_code == 404
    assert owner.get(f"/my/rooms/{residents['ended_room'].pk}/").status_code == 404


def test_a_mobile_in_no_room_is_told_the_steward_verifies_it(residents):
    page = signed_in_client(UNLINKED_MOBILE).get("/my/")
    text = page.content.decode()
    assert page.status_code == 200 and 'id="not-verified"' in text and "管家" in text
    assert _shown_rooms(text) == set()


def test_a_room_the_register_ends_leaves_the_list_at_once(residents):
    import datetime as dt

    from webapp.residents.models import Residency

    client = signed_in_client(OWNER_MOBILE)
    sz_room = residents["owner_rooms"][0]
    Residency.objects.filter(room=sz_room, customer=residents["owner"]).update(ended_on=dt.date(2026, 11, 1))
    assert sz_room.pk not in _shown_rooms(client.get("/my/").content.decode())
    assert client.get(f"/my/rooms/{sz_room.pk}/").status_code == 404


def test_a_changed_mobile_on_file_drops_that_customer_row(residents):
    client = signed_in_client(OWNER_MOBILE)
    residents["owner_sh"].mobile = "13900000000"
    residents["owner_sh"].save()
    assert _shown_rooms(client.get("/my/").content.decode()) == {residents["owner_rooms"][0].pk}


def test_without_a_resident_session_the_pages_go_to_the_residents_sign_in(residents, cast):
    staff = Client()
    staff.force_login(cast["cs_head"])
    for client in (Client(), staff):
        for url in ("/my/", f"/my/rooms/{residents['member_room'].pk}/"):
            response = client.get(url)
            assert (response.status_code, response["Location"]) == (302, "/my/login/"), url
    assert Client().get("/my/login/code/")["Location"] == "/my/login/"


def test_the_pages_are_in_chinese(residents):
    client = signed_in_client(OWNER_MOBILE)
    rooms = client.get("/my/").content.decode()
    assert (
        "我的房屋" in rooms and "退出" in rooms and "智慧管家" in rooms and "当前登录：137****0001" in rooms
    )
    room = client.get(f"/my/rooms/{residents['owner_rooms'][0].pk}/").content.decode()
    assert "我的身份" in room and "楼栋" in room and "房间" in room
    for english in ("Sign out", "My rooms", "My role", "Building", "Signed in as"):
        assert english not in rooms + room
