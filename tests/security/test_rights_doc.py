"""docs/security.md shows the role × page/API matrix as the code declares it (webapp/common/rights.py
× webapp/accounts/demo.py), so the two cannot drift apart."""

from __future__ import annotations

from pathlib import Path

from webapp.common import rights

from .rights_matrix import END, START, block, cell, role_codes

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def test_the_docs_matrix_is_the_declared_one():
    text = DOC.read_text(encoding="utf-8")
    assert START in text and END in text, f"docs/security.md lost its {START} … {END} markers"
    shown = text[text.index(START) : text.index(END) + len(END)]
    assert shown == block(), (
        "docs/security.md's rights matrix differs from webapp/common/rights.py and the demo roles; "
        "paste the output of `DJANGO_SETTINGS_MODULE=webapp.settings python -m tests.security.rights_matrix`:\n"
        + block()
    )


def test_the_cells_say_what_the_routes_do():
    """A cell's mark is the one the route gates apply: ✓ opens all, own opens one's work, — is a 403."""
    customers, defects = rights.AREAS["customers"], rights.AREAS["movein.defects"]
    assert cell(customers, role_codes(["realestate.view_customer"])) == "✓"
    assert cell(customers, set()) == "—"
    assert cell(defects, set()) == "own"
    assert cell(rights.AREAS["work"], set()) == "✓"
