"""Our own checks on a BPMN deployment, on top of SpiffWorkflow's XSD validation.

The XSD accepts unknown `spiffworkflow:*` elements and its messages for broken references are
misleading (SPIFF.md); analysts need the element id and the line. Each check returns Problems.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree

from forms import lookup as lookup_keyword

from . import hooks, lookups, options, sandbox
from .adapters import get_operation, operations
from .errors import Problem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DI_NAMESPACES = {
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
    "http://bpmn.io/schema/bpmn/biocolor/1.0",
    "http://www.omg.org/spec/BPMN/non-normative/color/1.0",
}
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}

# Flow nodes the engine runs (SpiffWorkflow's parser classes) and the structure around them.
SUPPORTED_BPMN = {
    "definitions", "process", "collaboration", "participant", "messageFlow", "laneSet", "lane",
    "flowNodeRef", "childLaneSet", "sequenceFlow", "conditionExpression", "extensionElements",
    "documentation", "incoming", "outgoing", "textAnnotation", "text", "association", "group",
    "category", "categoryValue", "dataObject", "dataObjectReference", "dataStore", "dataStoreReference",
    "dataInputAssociation", "dataOutputAssociation", "sourceRef", "targetRef", "ioSpecification",
    "dataInput", "dataOutput", "inputSet", "outputSet", "dataInputRefs", "dataOutputRefs",
    "itemDefinition", "property", "message", "signal", "error", "escalation", "correlationProperty",
    "correlationPropertyRetrievalExpression", "messagePath", "formalExpression", "correlationKey",
    "correlationPropertyRef", "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity", "subProcess", "transaction", "exclusiveGateway",
    "parallelGateway", "inclusiveGateway", "eventBasedGateway", "script",
    "multiInstanceLoopCharacteristics", "standardLoopCharacteristics", "loopCardinality",
    "completionCondition", "loopDataInputRef", "loopDataOutputRef", "inputDataItem", "outputDataItem",
    "loopCondition", "timerEventDefinition", "timeDate", "timeDuration", "timeCycle",
    "messageEventDefinition", "signalEventDefinition", "errorEventDefinition",
    "escalationEventDefinition", "terminateEventDefinition", "cancelEventDefinition",
    "conditionalEventDefinition", "condition", "linkEventDefinition", "operation", "interface",
}  # fmt: skip
SUPPORTED_SPIFF = {
    "properties", "property", "serviceTaskOperator", "parameters", "parameter", "preScript",
    "postScript", "instructionsForEndUser", "calledDecisionId", "messagePayload", "messageVariable",
    "unitTests", "unitTest", "inputJson", "expectedOutputJson", "retry", "variableName",
    "payloadExpression", "taskMetadataValues", "taskMetadataValue", "category",
}  # fmt: skip
# SpiffWorkflow names internal task specs like this; a BPMN element with such an id breaks the spec.
RESERVED_IDS = {"Start", "End", "Root"}
FLOW_NODES = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask",
    "receiveTask", "callActivity", "subProcess", "transaction", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway",
}  # fmt: skip
FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


def namespace(el: etree._Element) -> str:
    return etree.QName(el).namespace or ""


def _owner(el: etree._Element) -> etree._Element:
    """The nearest ancestor with an id: the element an analyst looks for."""
    node: etree._Element | None = el
    while node is not None and (node.get("id") is None or namespace(node) != BPMN):
        node = node.getparent()
    return node if node is not None else el


def _problem(name: str, el: etree._Element, message: str) -> Problem:
    owner = _owner(el)
    return Problem(message, file=name, element_id=owner.get("id", ""), line=el.sourceline)


def _elements(tree: etree._ElementTree) -> Iterator[etree._Element]:
    for el in tree.iter():
        if isinstance(el.tag, str):
            yield el


def properties(el: etree._Element) -> dict[str, str]:
    """The spiffworkflow:properties of one element (its own, not of nested elements)."""
    result: dict[str, str] = {}
    for prop in el.xpath(
        "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS
    ):
        result[prop.get("name", "")] = prop.get("value", "")
    return result


def check_elements(name: str, tree: etree._ElementTree) -> list[Problem]:
    """Unsupported or unknown elements, reserved ids, duplicate ids."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for el in _elements(tree):
        ns, tag = namespace(el), local(el)
        if ns == BPMN and tag not in SUPPORTED_BPMN:
            problems.append(_problem(name, el, f"unsupported element bpmn:{tag}"))
        elif ns == SPIFF and tag not in SUPPORTED_SPIFF:
            problems.append(_problem(name, el, f"unknown element spiffworkflow:{tag}"))
        elif ns not in (BPMN, SPIFF) and ns not in DI_NAMESPACES and not _inside_extension(el):
            problems.append(_problem(name, el, f"unknown element {{{ns}}}{tag}"))
        if ns == BPMN and el.get("id") is not None:
            element_id = el.get("id", "")
            if element_id in RESERVED_IDS or element_id.endswith(".EndJoin"):
                problems.append(_problem(name, el, f"id {element_id!r} is reserved by the engine; rename it"))
            if element_id in seen:
                problems.append(
                    _problem(name, el, f"duplicate id {element_id!r} (first on line {seen[element_id]})")
                )
            seen.setdefault(element_id, el.sourceline or 0)
    return problems


def _inside_extension(el: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None:
        if namespace(parent) == BPMN and local(parent) == "extensionElements":
            return True
        parent = parent.getparent()
    return False


def check_references(name: str, tree: etree._ElementTree) -> list[Problem]:
    """Every sequence flow joins two flow nodes of its own process; boundary events attach to one."""
    problems: list[Problem] = []
    for process in tree.iter(f"{{{BPMN}}}process", f"{{{BPMN}}}subProcess", f"{{{BPMN}}}transaction"):
        nodes = {
            child.get("id") for child in process if isinstance(child.tag, str) and local(child) in FLOW_NODES
        }
        for flow in process.findall(f"{{{BPMN}}}sequenceFlow"):
            for attr in ("sourceRef", "targetRef"):
                ref = flow.get(attr)
                if not ref:
                    problems.append(_problem(name, flow, f"sequence flow has no {attr}"))
                elif ref not in nodes:
                    problems.append(
                        _problem(name, flow, f"{attr} {ref!r} is not a flow node of this process")
                    )
        for boundary in process.findall(f"{{{BPMN}}}boundaryEvent"):
            attached = boundary.get("attachedToRef")
            if attached not in nodes:
                problems.append(
                    _problem(name, boundary, f"attachedToRef {attached!r} is not an activity here")
                )
    return problems


# Nodes after which a path may end without a sequence flow: end events, and boundary events (an
# interrupting one with no flow cancels its activity on purpose). Every other node needs a way on.
ENDS_A_PATH = {"endEvent", "boundaryEvent"}


def check_progress(name: str, tree: etree._ElementTree) -> list[Problem]:
    """Flows that can never reach an end are refused: an (event) subprocess with no start event,
    and a flow node other than an end or boundary event with no outgoing sequence flow (an
    instance would stay "running" there with nothing to do)."""
    problems: list[Problem] = []
    for container in tree.iter(f"{{{BPMN}}}process", f"{{{BPMN}}}subProcess", f"{{{BPMN}}}transaction"):
        nodes = [c for c in container if isinstance(c.tag, str) and local(c) in FLOW_NODES]
        if local(container) != "process" and not any(local(n) == "startEvent" for n in nodes):
            what = "has no elements" if not nodes else "has no start event"
            label = container.get("name") or container.get("id", "")
            problems.append(_problem(name, container, f"subprocess {label!r} {what}: it can never finish"))
        sources = {flow.get("sourceRef") for flow in container.findall(f"{{{BPMN}}}sequenceFlow")}
        for node in nodes:
            if local(node) in ENDS_A_PATH or node.get("isForCompensation") == "true":
                continue
            if node.get("id") not in sources:
                label = node.get("name") or node.get("id", "")
                problems.append(
                    _problem(
                        name,
                        node,
                        f"{local(node)} {label!r} has no outgoing sequence flow: add one or an end event",
                    )
                )
    return problems


def check_code(name: str, tree: etree._ElementTree) -> list[Problem]:
    """Scripts, conditions, timer and parameter expressions must compile in the sandbox."""
    problems: list[Problem] = []

    def check(el: etree._Element, source: str | None, mode: sandbox.Mode, what: str) -> None:
        if source is None or not source.strip():
            if mode == "eval":
                problems.append(_problem(name, el, f"{what} is empty"))
            return
        code = source.strip() if mode == "eval" else source
        for p in sandbox.check_code(code, mode) or can_only_fail(code, mode):
            line = (el.sourceline or 0) + max(p.line - 1, 0) if p.line else el.sourceline
            problems.append(
                Problem(f"{what}: {p.message}", file=name, element_id=_owner(el).get("id", ""), line=line)
            )

    for el in _elements(tree):
        ns, tag = namespace(el), local(el)
        parent = el.getparent()  # None for a root element (a file that is only a <script>)
        if ns == BPMN and tag == "script" and parent is not None and local(parent) == "scriptTask":
            check(el, el.text, "exec", "script")
        elif ns == SPIFF and tag in ("preScript", "postScript"):
            check(el, el.text, "exec", tag)
        elif ns == BPMN and tag == "conditionExpression":
            check(el, el.text, "eval", "condition")
        elif ns == BPMN and tag in ("timeDate", "timeDuration", "timeCycle"):
            check(el, el.text, "eval", f"timer {tag}")
            problems.extend(_check_timer_literal(name, el, tag))
        elif ns == SPIFF and tag == "parameter":
            check(el, el.get("value"), "eval", f"parameter {el.get('id')!r}")
        elif ns == BPMN and tag in FLOW_NODES:
            props = properties(el)
            for prop in ("dueIn", CANDIDATE_GROUP):
                if props.get(prop) is not None:
                    check(el, props[prop], "eval", prop)
    return problems


def can_only_fail(source: str, mode: sandbox.Mode) -> list[sandbox.CodeProblem]:
    """Code that compiles in the sandbox but can only fail when it runs: an attribute the sandbox
    refuses at run time (`.format(`, `ljust`, ...: any object's, as the sandbox refuses them by
    name), and a `while True:` with no `break` or `return` of its own (an endless loop, stopped
    only by the script time limit)."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError:  # the sandbox's compiler has said so already
        return []
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in sandbox.BLOCKED_ATTRIBUTES:
            hint = ": use an f-string" if node.attr in ("format", "format_map") else ""
            problems.append(
                sandbox.CodeProblem(
                    node.lineno,
                    f"attribute {node.attr!r} is not allowed in diagram code (it fails when it runs){hint}",
                )
            )
        elif (
            isinstance(node, ast.While)
            and isinstance(node.test, ast.Constant)
            and node.test.value
            and not any(_leaves_loop(stmt) for stmt in node.body)
        ):
            problems.append(
                sandbox.CodeProblem(
                    node.lineno, "an endless loop: `while True:` with no `break` or `return` in its body"
                )
            )
    return problems


def _leaves_loop(node: ast.AST, *, inner: bool = False) -> bool:
    """`node` holds a `break` of the loop it is in (not of a loop nested in it, `inner`) or a
    `return` (not of a function defined in it)."""
    if isinstance(node, ast.Return):
        return True
    if isinstance(node, ast.Break):
        return not inner
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
        return False
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
        # A break in the nested loop's body ends that loop; one in its `else:` ends ours.
        return any(_leaves_loop(n, inner=True) for n in node.body) or any(
            _leaves_loop(n, inner=inner) for n in node.orelse
        )
    return any(_leaves_loop(child, inner=inner) for child in ast.iter_child_nodes(node))


CANDIDATE_GROUP = "candidateGroup"  # a user task's work group computed from the data (projection.task_row)

_UNQUOTED_ISO = re.compile(r"^(R\d*/)?P(\d|T\d)|^\d{4}-\d{2}-\d{2}")


def _check_timer_literal(name: str, el: etree._Element, tag: str) -> list[Problem]:
    """A quoted literal timer expression must be valid ISO 8601 (an unquoted PT72H is a NameError)."""
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    text = (el.text or "").strip()
    if _UNQUOTED_ISO.match(text):
        return [_problem(name, el, f'timer {text!r} must be quoted: write "{text}" (expressions are Python)')]
    if not (len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'"):
        return []
    value = text[1:-1]
    parse: Callable[[str], Any] = {
        "timeDate": TimerEventDefinition.get_datetime,
        "timeDuration": TimerEventDefinition.parse_iso_duration,
        "timeCycle": TimerEventDefinition.parse_iso_recurring_interval,
    }[tag]
    try:
        parse(value)
    except Exception:
        return [_problem(name, el, f"timer {tag} {value!r} is not valid ISO 8601")]
    return []


def check_tasks(name: str, tree: etree._ElementTree, files: dict[str, bytes]) -> list[Problem]:
    """User tasks have a lane and a valid form; service tasks name a registered operator correctly."""
    problems: list[Problem] = []
    lanes: dict[str, str] = {}
    for ref in tree.iter(f"{{{BPMN}}}flowNodeRef"):
        lane = ref.getparent()  # None for a root element (a file that is only a <flowNodeRef>)
        lanes[(ref.text or "").strip()] = lane.get("name", "") if lane is not None else ""
    for el in tree.iter(f"{{{BPMN}}}userTask"):
        own, effective = lanes.get(el.get("id", ""), ""), _effective_lane(el, lanes)
        if not effective:
            problems.append(
                _problem(name, el, "user task is in no named lane (the lane is its candidate group)")
            )
        elif own and own != effective:
            problems.append(
                _problem(
                    name,
                    el,
                    f"user task is drawn in lane {own!r} but lies in a subprocess in lane {effective!r}: "
                    f"SpiffWorkflow gives it lane {effective!r}; move it out of the subprocess",
                )
            )
        problems.extend(_check_form(name, el, files, required=True))
    for el in tree.iter(f"{{{BPMN}}}startEvent"):
        problems.extend(_check_form(name, el, files, required=False))
    for el in tree.iter(f"{{{BPMN}}}serviceTask"):
        problems.extend(_check_service(name, el))
    for el in tree.iter(f"{{{BPMN}}}userTask", f"{{{BPMN}}}startEvent"):
        hook = properties(el).get(hooks.PROPERTY)
        refused = hooks.problem(hook, _process_id(el)) if hook is not None else None
        if refused:  # unknown, or registered for other flows
            problems.append(_problem(name, el, refused))
    return problems


def _process_id(el: etree._Element) -> str:
    """The id of the process an element lies in (its flow's key for the top process)."""
    node = el.getparent()
    while node is not None and not (namespace(node) == BPMN and local(node) == "process"):
        node = node.getparent()
    return node.get("id", "") if node is not None else ""


def _effective_lane(el: etree._Element, lanes: dict[str, str]) -> str:
    """The lane SpiffWorkflow 3.2 gives a task: an embedded subprocess that lies in a lane passes
    that lane to everything inside it (the outermost such subprocess wins); otherwise the task's own."""
    found = ""
    node = el.getparent()
    while node is not None:
        if (
            namespace(node) == BPMN
            and local(node) in ("subProcess", "transaction")
            and lanes.get(node.get("id", ""))
        ):
            found = lanes[node.get("id", "")]
        node = node.getparent()
    return found or lanes.get(el.get("id", ""), "")


def _check_form(name: str, el: etree._Element, files: dict[str, bytes], *, required: bool) -> list[Problem]:
    from forms import check_schema

    props = properties(el)
    schema_name = props.get("formJsonSchemaFilename")
    if not schema_name:
        return (
            [_problem(name, el, "user task has no form (property formJsonSchemaFilename)")]
            if required
            else []
        )
    problems: list[Problem] = []
    schema = _json_file(name, el, files, schema_name, problems)
    ui_name = props.get("formUiSchemaFilename")
    ui = _json_file(name, el, files, ui_name, problems) if ui_name else None
    if isinstance(schema, dict):
        for message in check_schema(schema, ui if isinstance(ui, dict) else None):
            problems.append(_problem(name, el, f"form {schema_name}: {message}"))
        for field, prop in (schema.get("properties") or {}).items():
            source = prop.get(options.KEYWORD) if isinstance(prop, dict) else None
            if source is not None and not options.exists(str(source)):
                problems.append(
                    _problem(
                        name, el, f"form {schema_name}: field {field!r} names unknown options {source!r}"
                    )
                )
        for field, picker in lookup_keyword.lookups(schema).items():
            if not lookups.exists(picker.source):
                message = f"form {schema_name}: field {field!r} looks up the unknown source {picker.source!r}"
                problems.append(_problem(name, el, message))
    return problems


def _json_file(
    name: str, el: etree._Element, files: dict[str, bytes], ref: str, problems: list[Problem]
) -> Any:
    content = files.get(ref)
    if content is None:
        problems.append(_problem(name, el, f"form file {ref!r} is not part of this deployment"))
        return None
    try:
        value = json.loads(content)
    except ValueError as exc:
        problems.append(Problem(f"not valid JSON: {exc}", file=ref))
        return None
    if not isinstance(value, dict):
        problems.append(Problem("a form file must hold a JSON object", file=ref))
        return None
    return value


def _check_service(name: str, el: etree._Element) -> list[Problem]:
    operator_el = el.find(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}serviceTaskOperator")
    if operator_el is None:
        return [_problem(name, el, "service task has no spiffworkflow:serviceTaskOperator")]
    operator = operator_el.get("id", "")
    operation = get_operation(operator)
    if operation is None:
        known = ", ".join(sorted(operations()))
        return [_problem(name, operator_el, f"unknown service operator {operator!r} (known: {known})")]
    given = {p.get("id", "") for p in operator_el.iter(f"{{{SPIFF}}}parameter")}
    problems = []
    for missing in sorted(operation.required_names() - given):
        problems.append(_problem(name, operator_el, f"{operator} needs parameter {missing!r}"))
    for unknown in sorted(given - operation.param_names()):
        problems.append(_problem(name, operator_el, f"{operator} takes no parameter {unknown!r}"))
    return problems


def check_deadline_timers(name: str, tree: etree._ElementTree) -> list[Problem]:
    """The marker deadline="attachedTask" (engine.deadline_timers) only on a timer boundary event
    attached to a user task, and not with businessTime (the task's deadline is already counted)."""
    problems: list[Problem] = []
    for el in _elements(tree):
        if namespace(el) != BPMN or "deadline" not in (props := properties(el)):
            continue
        if props["deadline"] != "attachedTask":
            problems.append(
                _problem(name, el, f'deadline {props["deadline"]!r}: the one value is "attachedTask"')
            )
        timer = el.find(f"{{{BPMN}}}timerEventDefinition")
        attached = tree.xpath("//bpmn:*[@id=$ref]", namespaces=NS, ref=el.get("attachedToRef", ""))
        if local(el) != "boundaryEvent" or timer is None:
            problems.append(_problem(name, el, 'deadline="attachedTask" belongs on a timer boundary event'))
        elif not attached or local(attached[0]) != "userTask":
            problems.append(
                _problem(name, el, 'deadline="attachedTask": the timer must be attached to a user task')
            )
        if str(props.get("businessTime", "")).lower() in ("true", "1", "yes"):
            problems.append(
                _problem(
                    name, el, 'deadline="attachedTask" follows the task\'s deadline: remove businessTime'
                )
            )
    return problems


def lint_bpmn(name: str, tree: etree._ElementTree, files: dict[str, bytes]) -> list[Problem]:
    """Every check of this module on one BPMN file."""
    problems = check_elements(name, tree)
    problems += check_references(name, tree)
    problems += check_progress(name, tree)
    problems += check_code(name, tree)
    problems += check_tasks(name, tree, files)
    problems += check_deadline_timers(name, tree)
    return problems


def _dmn_problem(name: str, el: etree._Element, message: str) -> Problem:
    node: etree._Element | None = el
    while node is not None and node.get("id") is None:
        node = node.getparent()
    return Problem(
        message, file=name, element_id=node.get("id", "") if node is not None else "", line=el.sourceline
    )


def lint_dmn(name: str, tree: etree._ElementTree) -> list[Problem]:
    """DMN expressions run in the sandbox too: input expressions, rule entries (combined with the
    input the way SpiffWorkflow's DMN engine does: `input <entry>` or `(input) == (entry)`) and
    output entries."""
    problems: list[Problem] = []
    for table in tree.iter():
        if not isinstance(table.tag, str) or local(table) != "decisionTable":
            continue
        inputs = [
            (el.findtext("{*}inputExpression/{*}text") or "").strip()
            for el in table
            if isinstance(el.tag, str) and local(el) == "input"
        ]
        for expression in inputs:
            if expression:
                for p in sandbox.check_code(expression, "eval"):
                    problems.append(
                        _dmn_problem(name, table, f"input expression {expression!r}: {p.message}")
                    )
        for rule in (el for el in table if isinstance(el.tag, str) and local(el) == "rule"):
            entries = [el for el in rule if isinstance(el.tag, str) and local(el) == "inputEntry"]
            for expression, entry in zip(inputs, entries, strict=False):
                text = (entry.findtext("{*}text") or "").strip()
                if not text or text == "-" or not expression:
                    continue
                candidates = [f"({expression}) == ({text})", f"{expression} {text}"]
                if "?" in text:  # SpiffWorkflow's DMN engine puts the input in place of "?": 1 < ? <= 3
                    candidates.append(text.replace("?", f"({expression})"))
                if all(sandbox.check_code(c, "eval") for c in candidates):
                    problems.append(
                        _dmn_problem(name, entry, f"rule entry {text!r} is not a valid condition")
                    )
            for entry in (el for el in rule if isinstance(el.tag, str) and local(el) == "outputEntry"):
                text = (entry.findtext("{*}text") or "").strip()
                for p in sandbox.check_code(text, "eval") if text else []:
                    problems.append(_dmn_problem(name, entry, f"output entry {text!r}: {p.message}"))
    return problems
