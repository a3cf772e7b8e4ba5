"""Chinese text uses Chinese punctuation (issue 13.16): no ASCII `, : ; ! ? ( )` touching a Chinese
character in what a person reads — the translations, the flows' forms, element names, instructions and documentation, and the
templates' own text. Placeholders (`%(name)s`), times (09:00) and code are not touched."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from lxml import etree

ROOT = Path(settings.BASE_DIR)
CHINESE = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”‘’]"
ASCII_NEXT_TO_CHINESE = re.compile(rf"(?<={CHINESE}) ?[,:;!?()]|[,:;!?()] ?(?={CHINESE})")
TEMPLATE_CODE = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}|<[^>]*>|<script.*?</script>|<style.*?</style>", re.S)


def mixed(text: str) -> list[str]:
    return [m.group(0) for m in ASCII_NEXT_TO_CHINESE.finditer(text)]


def translations() -> Iterator[tuple[str, str]]:
    for po in sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
        if ".venv" in po.parts or "node_modules" in po.parts:
            continue
        for match in re.finditer(r'^msgstr "(.*)"$', po.read_text(encoding="utf-8"), re.M):
            yield str(po.relative_to(ROOT)), match.group(1)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def flow_texts() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "processes").rglob("*.json")):
        for text in _strings(json.loads(path.read_text(encoding="utf-8"))):
            yield str(path.relative_to(ROOT)), text
    for path in sorted((ROOT / "processes").rglob("*.bpmn")):
        for element in etree.parse(str(path)).iter():
            if not isinstance(element.tag, str):
                continue
            if element.get("name"):
                yield str(path.relative_to(ROOT)), element.get("name", "")
            if etree.QName(element).localname in ("instructionsForEndUser", "documentation") and element.text:
                yield str(path.relative_to(ROOT)), element.text  # shown on the task and instance pages


def template_texts() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "webapp").rglob("*.html")):
        yield str(path.relative_to(ROOT)), TEMPLATE_CODE.sub(" ", path.read_text(encoding="utf-8"))


def test_the_checker_finds_what_it_should() -> None:
    assert mixed("请填写日期,例如 2026-12-05。") == [","]
    assert mixed("工作簿 (.xlsx)；") == [" (", ")"]
    assert mixed("第 %(id)s 条记录(%(at)s)处断开") == ["(", ")"]
    assert mixed("例如 09:00，“%(stage)s”") == []


def test_chinese_text_uses_chinese_punctuation() -> None:
    problems = [
        f"{where}: {text[:80]!r} {mixed(text)}"
        for source in (translations(), flow_texts(), template_texts())
        for where, text in source
        if mixed(text)
    ]
    assert not problems, f"{len(problems)} texts mix ASCII punctuation into Chinese:\n" + "\n".join(problems)
