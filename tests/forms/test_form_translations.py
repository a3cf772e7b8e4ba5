"""Messages are English msgids with zh-Hans translations in forms/locale."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from forms import render_form, validate_submission

FORMS = Path(__file__).resolve().parents[2] / "forms"
PO = FORMS / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "x-resident-id-matches": {"id": "id_number", "gender": "gender"},
    "properties": {
        "name": {"type": "string", "maxLength": 2},
        "mobile": {"type": "string", "format": "cn-mobile"},
        "id_number": {"type": "string", "format": "cn-resident-id"},
        "gender": {"enum": ["male", "female"]},
        "kind": {"enum": ["a", "b"]},
    },
}


@pytest.mark.usefixtures("zh")
def test_messages_are_chinese_when_chinese_is_active() -> None:
    errors = validate_submission(SCHEMA, {"mobile": "123", "kind": "c"})
    assert errors == {
        "name": ["此项为必填项"],
        "mobile": ["请输入有效的中国大陆手机号码"],
        "kind": ["请从以下选项中选择：“a”、“b”。"],
    }


@pytest.mark.usefixtures("zh")
def test_limits_and_domain_messages_are_chinese() -> None:
    errors = validate_submission(
        SCHEMA, {"name": "张三丰", "id_number": "11010519491231002X", "gender": "male"}
    )
    assert errors == {"name": ["最多只能输入2个字符"], "gender": ["性别与身份证号码不一致"]}
    errors = validate_submission(SCHEMA, {"name": "张三", "id_number": "110105491231002"})
    assert errors == {"id_number": ["不支持15位旧身份证号码，请输入18位身份证号码"]}


@pytest.mark.usefixtures("zh")
def test_select_placeholder_is_chinese() -> None:
    assert '<option value="">请选择</option>' in render_form(SCHEMA)


def test_messages_are_english_when_english_is_active() -> None:
    assert validate_submission(SCHEMA, {}) == {"name": ["This field is required."]}


def _msgids(text: str) -> set[str]:
    return {"".join(re.findall(r'"(.*)"', m)) for m in re.findall(r'^msgid ((?:".*"\n)+)', text, re.M)} - {""}


def _run(tool: str, *args: str) -> str:
    """Run a GNU gettext tool with fixed arguments (no outside input reaches the command)."""
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"needs GNU gettext's {tool}")
    return subprocess.run([path, *args], capture_output=True, text=True, check=True).stdout


def _catalog(mo: Path) -> dict[Any, str]:
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]


def test_every_message_in_the_code_has_a_translation() -> None:
    sources = sorted(str(p) for p in FORMS.glob("*.py"))
    keywords = ("--keyword=_", "--keyword=ngettext:1,2")
    pot = _run("xgettext", "--language=Python", *keywords, "--from-code=UTF-8", "-o", "-", *sources)
    po = PO.read_text(encoding="utf-8")
    assert _msgids(pot) == _msgids(po)
    assert 'msgstr ""\n\n' not in po.split("\n\n", 1)[1] + "\n\n"  # nothing left untranslated


def test_compiled_catalog_matches_the_po_file(tmp_path: Path) -> None:
    fresh = tmp_path / "django.mo"
    _run("msgfmt", "--check", "-o", str(fresh), str(PO))
    assert _catalog(fresh) == _catalog(MO), "recompile: msgfmt -o django.mo django.po"
