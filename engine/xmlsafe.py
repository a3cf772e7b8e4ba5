"""Parsing uploaded XML without trusting it.

No DTD is loaded, no entity is resolved, nothing is fetched from the network, and a document
that declares a DOCTYPE at all is refused: entity bombs and external entities need one, and BPMN
and DMN never do.
"""

from __future__ import annotations

from lxml import etree

from .errors import Problem


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=True,
    )


def parse_xml(name: str, content: bytes) -> tuple[etree._ElementTree | None, list[Problem]]:
    """Parse one uploaded file; returns the tree or the problems that refuse it."""
    head = content[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in content.lower():
        return None, [Problem("DOCTYPE and entity declarations are not allowed in BPMN/DMN files", file=name)]
    try:
        tree = etree.ElementTree(etree.fromstring(content, _parser()))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if getattr(exc, "lineno", None) else None
        message = exc.msg if getattr(exc, "msg", None) else str(exc)
        return None, [Problem(f"not well-formed XML: {message}", file=name, line=line)]
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        return None, [Problem("DOCTYPE declarations are not allowed in BPMN/DMN files", file=name)]
    return tree, []
