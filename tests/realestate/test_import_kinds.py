"""The registry of import kinds (webapp/realestate/import_kinds.py): other apps register their
kinds in AppConfig.ready, the 导入 page lists the registered kinds a user may import, and any other
kind is refused with 400."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile

from webapp.realestate import import_kinds
from webapp.realestate.import_kinds import ImportKindSpec, register_import_kind
from webapp.realestate.models import ImportJob
from webapp.residents.imports import ResidentImporter

from .conftest import upload, xlsx


def test_the_apps_register_their_kinds_once_in_the_order_of_the_choices() -> None:
    kinds = import_kinds.registered()
    assert [spec.kind for spec in kinds] == ["rooms", "customers", "residents", "readings"]
    assert [spec.template_file_name for spec in kinds][2:] == [
        "residents-template.xlsx",
        "readings-template.xlsx",
    ]
    residents = import_kinds.get("residents")
    assert residents.importer is ResidentImporter and residents.personal_columns["householder_id_number"]
    assert import_kinds.lookup("parking") is None and import_kinds.label("parking") == "parking"
    register_import_kind(residents)  # the same spec again: nothing changes
    assert import_kinds.registered() == kinds
    with pytest.raises(ImproperlyConfigured):
        register_import_kind(ImportKindSpec("residents", "Other", [], ResidentImporter, "x.y"))
    with pytest.raises(ImproperlyConfigured):
        register_import_kind(ImportKindSpec("parking", "Parking", [], ResidentImporter, "x.y"))
    assert import_kinds.get("residents") is residents and import_kinds.lookup("parking") is None


def test_the_import_page_lists_the_registered_kinds_the_user_may_import(web, master) -> None:
    page = web("sales").get("/imports/").content.decode()
    assert 'value="rooms"' in page and 'value="customers"' in page and 'value="residents"' not in page
    page = web("agent").get("/imports/").content.decode()  # 客服: residents (registered by webapp.residents)
    assert 'value="residents"' in page and 'value="rooms"' not in page


def test_an_unregistered_kind_is_refused_with_400(api, web, master) -> None:
    content = xlsx("rooms", [])
    response = upload(api("sales"), "parking", content)
    assert response.status_code == 400 and list(response.json()["field_errors"]) == ["kind"]
    file = SimpleUploadedFile("rooms.xlsx", content)
    response = web("sales").post("/imports/", {"kind": "parking", "file": file})
    assert response.status_code == 400 and "is-invalid" in response.content.decode()
    assert not ImportJob.objects.exists()
