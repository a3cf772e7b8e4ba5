"""The role × page/API matrix of docs/security.md, built from what the code declares: the areas
and routes of webapp/common/rights.py and the demo roles and cast of webapp/accounts/demo.py.

test_rights_doc.py compares the doc's tables with these; `python -m tests.security.rights_matrix`
prints them (to paste into the doc after a change)."""

from __future__ import annotations

import re

from webapp.common import rights

START, END = "<!-- rights-matrix:start -->", "<!-- rights-matrix:end -->"
NO_ROLE = "无角色"
HELD, OWN, REFUSED = "✓", "own", "—"


def role_codes(codenames: list[str]) -> set[str]:
    """demo.ROLES codenames as permission codes ("view_all_instances" is engine's)."""
    return {code if "." in code else f"engine.{code}" for code in codenames}


def cell(area: rights.Area, codes: set[str]) -> str:
    if area.public or not area.rights or codes & set(area.rights):
        return HELD
    return OWN if area.without == rights.OWN_WORK else REFUSED


def _path(pattern: str) -> str:
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", pattern).replace("^", "").replace("$", "")
    return "/" + re.sub(r"\\\.", ".", path)


def area_paths() -> dict[str, list[str]]:
    """Area key → the paths of its routes (per method where a route's methods differ)."""
    from tests.security.routes import site_routes

    found: dict[str, list[str]] = {key: [] for key in rights.AREAS}
    for route in site_routes():
        for method in route.methods():
            area = rights.area_of(route.name, method)
            if area is None:
                continue
            entry = rights.ROUTES[route.name]
            shown = _path(route.pattern) + (f" {method.upper()}" if isinstance(entry, dict) else "")
            if shown not in found[area.key]:
                found[area.key].append(shown)
    return found


def matrix() -> str:
    from webapp.accounts.demo import ROLES

    roles = {name: role_codes(codes) for name, codes in ROLES.items()}
    columns = [*roles, NO_ROLE]
    lines = [
        "| Area | Pages and API | " + " | ".join(columns) + " |",
        "|" + "---|" * (len(columns) + 2),
    ]
    paths = area_paths()
    for area in rights.AREAS.values():
        cells = [cell(area, roles[name]) for name in roles] + [cell(area, set())]
        where = ", ".join(f"`{p}`" for p in sorted(paths[area.key]))
        lines.append(f"| {area.key}: {area.label} | {where} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cast() -> str:
    from webapp.accounts.demo import PEOPLE

    lines = ["| Person | Username | Work groups | Roles |", "|---|---|---|---|"]
    for p in PEOPLE:
        roles = "、".join(p.roles) or NO_ROLE
        lines.append(f"| {p.name} | `{p.username}` | {'、'.join(p.groups) or '—'} | {roles} |")
    return "\n".join(lines)


def block() -> str:
    """The doc's generated part, between its markers (area labels in English, as the doc is)."""
    from django.utils import translation

    with translation.override("en"):
        return f"{START}\n{matrix()}\n\nThe demo cast and their roles:\n\n{cast()}\n{END}"


if __name__ == "__main__":
    import django

    django.setup()
    print(block())
