"""Pinyin of customer names for search: "张三" → "zhangsan" and "zs".

pypinyin reads each character with its most common reading, which is wrong for a handful of
frequent surnames (曾 is zēng as a surname, not céng; 单 is shàn, not dān). Individuals' names
are read with the surname table first; company names are read as ordinary words. Latin letters
and digits in a name are kept (lower-cased), so "John 王" → "johnwang" / "jw".
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

# Surname readings that differ from the characters' most common readings.
SURNAMES: dict[str, tuple[str, ...]] = {
    "曾": ("zeng",), "单": ("shan",), "解": ("xie",), "仇": ("qiu",), "朴": ("piao",), "区": ("ou",),
    "查": ("zha",), "覃": ("qin",), "盖": ("ge",), "缪": ("miao",), "乐": ("yue",), "种": ("chong",),
    "秘": ("bi",), "召": ("shao",), "员": ("yun",), "尉": ("yu",), "万俟": ("mo", "qi"),
    "尉迟": ("yu", "chi"), "长孙": ("zhang", "sun"), "单于": ("chan", "yu"),
}  # fmt: skip
_BY_LENGTH = sorted(SURNAMES, key=len, reverse=True)
_WORD = re.compile(r"[a-z0-9]+")


def _syllables(name: str, *, individual: bool) -> list[str]:
    name = (name or "").strip()
    head: list[str] = []
    if individual:
        for surname in _BY_LENGTH:
            if name.startswith(surname) and len(name) > len(surname):
                head, name = list(SURNAMES[surname]), name[len(surname) :]
                break
    words: list[str] = []
    for chunk in lazy_pinyin(name, style=Style.NORMAL, errors="default"):
        words.extend(_WORD.findall(chunk.lower()))
    return head + words


def name_pinyin(name: str, *, individual: bool = True) -> str:
    """The name's full pinyin without tones or spaces: 张三 → zhangsan."""
    return "".join(_syllables(name, individual=individual))


def name_initials(name: str, *, individual: bool = True) -> str:
    """The first letter of each syllable (or Latin word): 张三 → zs."""
    return "".join(word[0] for word in _syllables(name, individual=individual))
