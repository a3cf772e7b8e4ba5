"""Small things a new user notices (issue 13.16): the site's icon, badges that can be read, the
change note of a flow shipped with the product."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from engine.deploy import deploy_folder, shipped_note
from engine.models import ProcessVersion

TEMPLATES = [p for p in Path(settings.BASE_DIR, "webapp").rglob("*.html")]


def test_the_browser_finds_the_site_icon(web) -> None:
    icon = web(None).get("/favicon.ico")
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an .ico file
    page = web("agent").get("/inbox/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    assert web(None).get("/static/anju/favicon.svg").status_code == 200


def test_no_badge_uses_a_colour_class_bootstrap_does_not_have() -> None:
    """Bootstrap 5.3 has text-bg-success but no text-bg-success-subtle: such a badge is white on
    near white (the 交付资料 badges were). Subtle badges are bg-*-subtle with text-*-emphasis."""
    wrong = {
        f"{path.relative_to(settings.BASE_DIR)}: {match}"
        for path in TEMPLATES
        for match in re.findall(r"text-bg-[a-z]+-subtle", path.read_text(encoding="utf-8"))
    }
    assert not wrong, sorted(wrong)


def test_a_flow_shipped_from_processes_says_so_in_its_change_note(cast) -> None:
    folder = Path(settings.BASE_DIR, "tests", "flows", "quicktimer")
    version, created = deploy_folder(folder, user=cast["analyst"])
    assert created
    assert version.note == f"首次发布“{version.name}”，来自 tests/flows/quicktimer/"
    assert "deployed from" not in version.note
    again = ProcessVersion(key=version.key, name=version.name, version=version.version)
    note = shipped_note(version.name, again, "processes/complaint/")
    assert note == f"更新“{version.name}”，来自 processes/complaint/（上一版本：第 {version.version} 版）"
    own, _created = deploy_folder(folder, user=cast["analyst"], note="分析师自己的说明")
    assert own.note == version.note  # the same content: the version deployed before, unchanged
