"""Facts of a deployed version's BPMN the version summary does not hold: which variable each
service task writes its result to (so the audit trail's service results read with that
variable's titles). Versions never change: read once per process (keyed by id and content
digest, as ids are reused after a rollback)."""

from __future__ import annotations

from functools import lru_cache

from engine import inspect
from engine.lint import SPIFF
from engine.models import ProcessVersion
from engine.xmlsafe import parse_xml


def result_variables(version: ProcessVersion) -> dict[str, str]:
    """{service task id: its result variable} of the version's main BPMN file."""
    return _result_variables(version.pk, version.sha256)


@lru_cache(maxsize=256)
def _result_variables(version_id: int, digest: str) -> dict[str, str]:
    try:
        name, xml = inspect.main_bpmn(version_id)
    except Exception:  # a version without a BPMN file has no service tasks to name
        return {}
    tree, _problems = parse_xml(name, xml.encode())
    if tree is None:
        return {}
    found: dict[str, str] = {}
    for operator in tree.iter(f"{{{SPIFF}}}serviceTaskOperator"):
        extensions = operator.getparent()  # serviceTask > extensionElements > serviceTaskOperator
        task = extensions.getparent() if extensions is not None else None
        element_id = task.get("id") if task is not None else None
        variable = operator.get("resultVariable")
        if element_id and variable:
            found[str(element_id)] = str(variable)
    return found
