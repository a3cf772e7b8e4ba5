"""What changed between two versions of a flow, element by element, as a person reads it: per
element its name and type and, for a changed one, each aspect that changed (name, type, lane,
Anju properties, timer and other event settings, script, incoming and outgoing flows with their
conditions, the fields of its form) with the old and the new value, elements named by their names.

Read from the versions' files (the BPMN file that holds the flow and its JSON forms), matching
elements by id; the diagram moving on the canvas is no change. The migration's own check
(engine.migration.compare, on SpiffWorkflow's specs) stays what decides whether an instance can
move; this is what the compare page shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree

from engine.models import ProcessFile, ProcessVersion

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
FORM, UI_FORM = "formJsonSchemaFilename", "formUiSchemaFilename"
LONG_TEXT = 400  # scripts and instructions longer than this are cut in the list

# The flow nodes a diagram draws (lanes, flows and annotations are aspects of these).
NODE_TYPES = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "exclusiveGateway",
    "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway",
}  # fmt: skip
# Children read as their own aspects (or as the node's flows); the rest compare as "other settings".
HANDLED_CHILDREN = {
    "incoming", "outgoing", "extensionElements", "documentation", "script", "timerEventDefinition",
    "messageEventDefinition", "signalEventDefinition", "errorEventDefinition", "escalationEventDefinition",
    "terminateEventDefinition", "conditionalEventDefinition", "linkEventDefinition", "cancelEventDefinition",
    "compensateEventDefinition",
}  # fmt: skip


def type_label(tag: str) -> str:
    labels = {
        "startEvent": _("Start event"), "endEvent": _("End event"),
        "intermediateCatchEvent": _("Intermediate catch event"),
        "intermediateThrowEvent": _("Intermediate throw event"), "boundaryEvent": _("Boundary event"),
        "task": _("Task"), "userTask": _("User task"), "manualTask": _("Manual task"),
        "scriptTask": _("Script task"), "serviceTask": _("Service task"), "sendTask": _("Send task"),
        "receiveTask": _("Receive task"), "businessRuleTask": _("Business rule task"),
        "callActivity": _("Call activity"), "subProcess": _("Subprocess"), "transaction": _("Transaction"),
        "exclusiveGateway": _("Exclusive gateway"), "parallelGateway": _("Parallel gateway"),
        "inclusiveGateway": _("Inclusive gateway"), "eventBasedGateway": _("Event-based gateway"),
        "complexGateway": _("Complex gateway"),
    }  # fmt: skip
    return labels.get(tag, tag)


def _property_label(name: str) -> str:
    labels = {
        FORM: _("Form"), UI_FORM: _("Form layout (UI schema)"), "dueIn": _("Due in"),
        "businessTime": _("Counted in working time"), "completeHook": _("Completion hook"),
        "candidateGroup": _("Candidate group"),
    }  # fmt: skip
    return labels.get(name, _("Property %(name)s") % {"name": name})


def _spiff_label(tag: str) -> str:
    labels = {
        "instructionsForEndUser": _("Instructions for the worker"), "preScript": _("Pre-script"),
        "postScript": _("Post-script"), "serviceTaskOperator": _("Service operator"),
        "calledDecisionId": _("Decision"), "messageVariable": _("Message variable"),
    }  # fmt: skip
    return labels.get(tag, tag)


def _timer_label(tag: str) -> str:
    labels = {"timeDuration": _("duration"), "timeDate": _("date"), "timeCycle": _("cycle")}
    return labels.get(tag, tag)


def _event_label(kind: str) -> str:
    labels = {
        "message": _("message"), "signal": _("signal"), "error": _("error"), "escalation": _("escalation"),
        "terminate": _("terminate"), "conditional": _("condition"), "link": _("link"), "cancel": _("cancel"),
        "compensate": _("compensation"),
    }  # fmt: skip
    return labels.get(kind, kind)


def _field_type(value: Any) -> str:
    labels = {
        "string": _("text"), "integer": _("whole number"), "number": _("number"), "boolean": _("yes/no"),
        "array": _("list"), "object": _("group of fields"),
    }  # fmt: skip
    if isinstance(value, list):
        return " / ".join(_field_type(v) for v in value)
    return labels.get(str(value), str(value)) if value is not None else ""


@dataclass
class Change:
    what: str
    old: str
    new: str


@dataclass
class ElementChange:
    element_id: str
    name: str
    type: str
    changes: list[Change] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or self.element_id


@dataclass
class VersionDiff:
    added: list[ElementChange]
    removed: list[ElementChange]
    changed: list[ElementChange]
    other: list[Change] = field(default_factory=list)  # files no element names (a DMN, a called flow)

    def ids(self, kind: str) -> list[str]:
        return [e.element_id for e in getattr(self, kind)]

    def as_list(self) -> list[dict[str, Any]]:
        """Every element that differs, for the API: kind, id, name, type and its changes."""
        return [
            {"kind": kind, "element_id": e.element_id, "name": e.name, "type": e.type,
             "changes": [{"what": c.what, "old": c.old, "new": c.new} for c in e.changes]}
            for kind in ("added", "removed", "changed") for e in getattr(self, kind)
        ]  # fmt: skip


# --- reading one version ------------------------------------------------------------------------


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _ns(el: etree._Element) -> str:
    return etree.QName(el).namespace or "" if isinstance(el.tag, str) else ""


def _short(text: str) -> str:
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    return text if len(text) <= LONG_TEXT else text[:LONG_TEXT] + "…"


def _compact(el: etree._Element) -> str:
    """A child element as one line: its attributes and text, its children in order."""
    parts = [f"{k}={v}" for k, v in sorted(el.attrib.items()) if k != "id"]
    if el.text and el.text.strip():
        parts.append(el.text.strip())
    parts.extend(f"{_local(c)}({_compact(c)})" for c in el if isinstance(c.tag, str))
    return ", ".join(parts)


@dataclass
class _Flow:
    source: str
    target: str
    condition: str
    default: bool


class _Version:
    """One version's main BPMN file read into nodes, flows and lanes, and its files."""

    def __init__(self, version: ProcessVersion) -> None:
        self.files = dict(ProcessFile.objects.filter(version=version).values_list("name", "content"))
        self.main_name = self._main_bpmn(version)
        xml = self.files.get(self.main_name, "")
        root = etree.fromstring(xml.encode("utf-8")) if xml else None
        self.nodes: dict[str, etree._Element] = {}
        self.flows: list[_Flow] = []
        self.lanes: dict[str, str] = {}
        self.messages: dict[str, str] = {}
        if root is None:
            return
        defaults = set()
        for el in root.iter():
            if _ns(el) != BPMN:
                continue
            tag, el_id = _local(el), el.get("id") or ""
            if tag in NODE_TYPES and el_id:
                self.nodes[el_id] = el
                if el.get("default"):
                    defaults.add(el.get("default") or "")
            elif tag in ("message", "signal", "error", "escalation") and el_id:
                self.messages[el_id] = el.get("name") or el_id
            elif tag == "lane":
                for ref in el.iter(f"{{{BPMN}}}flowNodeRef"):
                    self.lanes[(ref.text or "").strip()] = el.get("name") or el_id
        for el in root.iter(f"{{{BPMN}}}sequenceFlow"):
            condition = el.find(f"{{{BPMN}}}conditionExpression")
            self.flows.append(
                _Flow(el.get("sourceRef", ""), el.get("targetRef", ""),
                      (condition.text or "").strip() if condition is not None else "", el.get("id") in defaults)
            )  # fmt: skip

    def _main_bpmn(self, version: ProcessVersion) -> str:
        """The name of the BPMN file that holds the flow's process (as engine.inspect.main_bpmn)."""
        bpmns = sorted(name for name in self.files if name.endswith(".bpmn"))
        for name in bpmns:
            if f'id="{version.key}"' in self.files[name]:
                return name
        return bpmns[0] if bpmns else ""

    def name(self, element_id: str) -> str:
        el = self.nodes.get(element_id)
        return (el.get("name") or "").strip() if el is not None else ""

    def label(self, element_id: str) -> str:
        return self.name(element_id) or element_id

    def form(self, name: str) -> dict[str, Any] | None:
        try:
            loaded = json.loads(self.files.get(name) or "null")
        except ValueError:
            return None
        return loaded if isinstance(loaded, dict) else None

    def facts(self, element_id: str) -> dict[str, str]:
        """Aspect label → value for one node: what the change list compares."""
        el = self.nodes[element_id]
        facts: dict[str, str] = {
            _("Name"): (el.get("name") or "").strip(),
            _("Type"): type_label(_local(el)),
            _("Lane"): self.lanes.get(element_id, ""),
        }
        if el.get("attachedToRef"):
            facts[_("Interrupting")] = _("yes") if el.get("cancelActivity", "true") != "false" else _("no")
        if el.get("calledElement"):
            facts[_("Called flow")] = el.get("calledElement", "")
        for child in el:
            tag = _local(child)
            if tag == "documentation":
                facts[_("Documentation")] = _short(child.text or "")
            elif tag == "script":
                facts[_("Script")] = _short(child.text or "")
            elif tag == "timerEventDefinition":
                for timer in child:
                    if isinstance(timer.tag, str):
                        facts[_("Timer")] = f"{_timer_label(_local(timer))}: {(timer.text or '').strip()}"
            elif tag.endswith("EventDefinition"):
                ref = child.get("messageRef") or child.get("signalRef") or child.get("errorRef") or ""
                facts[_("Event")] = _event_label(tag.removesuffix("EventDefinition")) + (
                    f": {self.messages.get(ref, ref)}" if ref else ""
                )
            elif tag == "extensionElements":
                facts.update(self._extensions(child))
            elif tag not in HANDLED_CHILDREN and _ns(child) == BPMN:
                facts[tag] = _compact(child)
        return {k: v for k, v in facts.items() if v}

    def connections(self, element_id: str) -> dict[str, tuple[list[tuple[str, ...]], str]]:
        """The task a boundary event sits on, incoming and outgoing flows: what to compare (the other
        element's id, the condition) and what to show (its name): renaming a neighbour is no change
        of this element."""
        incoming: list[tuple[str, ...]] = sorted((f.source,) for f in self.flows if f.target == element_id)
        outgoing: list[tuple[str, ...]] = sorted(
            (f.target, f.condition, str(f.default)) for f in self.flows if f.source == element_id
        )
        host = self.nodes[element_id].get("attachedToRef", "")
        return {
            _("Attached to"): ([(host,)], self.label(host) if host else ""),
            _("Incoming"): (incoming, ", ".join(self.label(i[0]) for i in incoming)),
            _("Outgoing"): (outgoing, ", ".join(self._outgoing(*o) for o in outgoing)),
        }

    def _outgoing(self, target: str, condition: str, default: str) -> str:
        text = self.label(target)
        if condition:
            text += f" [{condition}]"
        if default == "True":
            text += " " + _("(default)")
        return text

    def _extensions(self, extensions: etree._Element) -> dict[str, str]:
        facts: dict[str, str] = {}
        for child in extensions:
            if _ns(child) != SPIFF:
                continue
            tag = _local(child)
            if tag == "properties":
                for prop in child.iter(f"{{{SPIFF}}}property"):
                    facts[_property_label(prop.get("name", ""))] = prop.get("value", "")
            elif tag == "serviceTaskOperator":
                facts[_spiff_label(tag)] = child.get("id", "")
                for param in child.iter(f"{{{SPIFF}}}parameter"):
                    facts[_("Parameter %(name)s") % {"name": param.get("id", "")}] = param.get("value", "")
                if child.get("resultVariable"):
                    facts[_("Result variable")] = child.get("resultVariable", "")
            else:
                facts[_spiff_label(tag)] = _short(child.text or _compact(child))
        return facts

    def form_names(self, element_id: str) -> tuple[str, str]:
        props = {
            p.get("name"): p.get("value", "")
            for p in self.nodes[element_id].iter(f"{{{SPIFF}}}property")
        }  # fmt: skip
        return props.get(FORM, ""), props.get(UI_FORM, "")


# --- form fields ------------------------------------------------------------------------------


def _choices(spec: dict[str, Any]) -> str:
    if isinstance(spec.get("oneOf"), list):
        return ", ".join(
            str(c.get("title") or c.get("const")) for c in spec["oneOf"] if isinstance(c, dict)
        )  # fmt: skip
    if isinstance(spec.get("enum"), list):
        return ", ".join(str(v) for v in spec["enum"])
    return ""


FIELD_KEYS = {"title", "type", "oneOf", "enum", "format", "maxLength", "minLength", "minimum", "maximum",
              "readOnly", "x-options", "default", "description"}  # fmt: skip


def _field_facts(spec: dict[str, Any], required: bool) -> dict[str, str]:
    def text(value: Any) -> str:
        return (
            ""
            if value is None
            else json.dumps(value, ensure_ascii=False)
            if isinstance(value, (dict, list))
            else str(value)
        )

    facts = {
        _("title"): text(spec.get("title")),
        _("type"): _field_type(spec.get("type")),
        _("required"): _("yes") if required else _("no"),
        _("read-only"): _("yes") if spec.get("readOnly") else "",
        _("choices"): _choices(spec),
        _("format"): text(spec.get("format")),
        _("minimum length"): text(spec.get("minLength")),
        _("maximum length"): text(spec.get("maxLength")),
        _("minimum"): text(spec.get("minimum")),
        _("maximum"): text(spec.get("maximum")),
        _("options from"): text(spec.get("x-options")),
        _("default"): text(spec.get("default")),
        _("description"): text(spec.get("description")),
    }
    rest = {k: v for k, v in spec.items() if k not in FIELD_KEYS}
    if rest:
        facts[_("other settings")] = json.dumps(rest, ensure_ascii=False, sort_keys=True)
    return {k: v for k, v in facts.items() if v}


def _fields(schema: dict[str, Any] | None) -> dict[str, dict[str, str]]:
    if not schema:
        return {}
    props: dict[str, Any] = schema["properties"] if isinstance(schema.get("properties"), dict) else {}
    required = set(schema.get("required") or []) if isinstance(schema.get("required"), list) else set()
    return {
        key: _field_facts(spec, key in required) for key, spec in props.items() if isinstance(spec, dict)
    }  # fmt: skip


def _rules(schema: dict[str, Any] | None) -> str:
    """What a form says beyond its fields (cross-field rules, conditions), to notice a change."""
    if not schema:
        return ""
    rest = {
        k: v
        for k, v in schema.items()
        if k not in ("properties", "required", "title", "description", "$schema")
    }
    return json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else ""


def _field_label(key: str, facts: dict[str, str]) -> str:
    title = facts.get(_("title"))
    return f"“{title}” ({key})" if title else key


def _summary(facts: dict[str, str]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in facts.items())


def _form_changes(old: _Version, new: _Version, element_id: str) -> list[Change]:
    old_form, old_ui = old.form_names(element_id)
    new_form, new_ui = new.form_names(element_id)
    changes: list[Change] = []
    before, after = old.form(old_form), new.form(new_form)
    old_fields, new_fields = _fields(before), _fields(after)
    for key in list(old_fields) + [k for k in new_fields if k not in old_fields]:
        was, now = old_fields.get(key), new_fields.get(key)
        if was == now:
            continue
        label = _field_label(key, now or was or {})
        if was is None:
            changes.append(Change(_("Form field %(field)s") % {"field": label}, "—", _summary(now or {})))
        elif now is None:
            changes.append(Change(_("Form field %(field)s") % {"field": label}, _summary(was), "—"))
        else:
            for aspect in list(was) + [a for a in now if a not in was]:
                if was.get(aspect) != now.get(aspect):
                    changes.append(
                        Change(_("Form field %(field)s: %(aspect)s") % {"field": label, "aspect": aspect},
                               was.get(aspect, "—"), now.get(aspect, "—"))
                    )  # fmt: skip
    if _rules(before) != _rules(after):
        changes.append(Change(_("Form rules"), _rules(before) or "—", _rules(after) or "—"))
    if (old_ui or new_ui) and old.files.get(old_ui) != new.files.get(new_ui) and old_ui == new_ui:
        changes.append(Change(_("Form layout (UI schema)"), old_ui, _("changed")))
    return changes


# --- the diff ---------------------------------------------------------------------------------


def _element(version: _Version, element_id: str) -> ElementChange:
    el = version.nodes[element_id]
    return ElementChange(element_id, version.name(element_id), type_label(_local(el)))


def compare(source: ProcessVersion, target: ProcessVersion) -> VersionDiff:
    """Elements added, removed and changed from source to target, with what changed in each."""
    old, new = _Version(source), _Version(target)
    added = [_element(new, i) for i in new.nodes if i not in old.nodes]
    removed = [_element(old, i) for i in old.nodes if i not in new.nodes]
    changed = []
    for element_id in new.nodes:
        if element_id not in old.nodes:
            continue
        was, now = old.facts(element_id), new.facts(element_id)
        changes = [
            Change(aspect, was.get(aspect, "—"), now.get(aspect, "—"))
            for aspect in list(was) + [a for a in now if a not in was]
            if was.get(aspect) != now.get(aspect)
        ]
        was_flows, now_flows = old.connections(element_id), new.connections(element_id)
        for aspect, (key, shown) in now_flows.items():
            if was_flows[aspect][0] != key:
                changes.append(Change(aspect, was_flows[aspect][1] or "—", shown or "—"))
        changes.extend(_form_changes(old, new, element_id))
        if changes:
            changed.append(ElementChange(element_id, new.name(element_id) or old.name(element_id),
                                         type_label(_local(new.nodes[element_id])), changes))  # fmt: skip
    described = {n for v in (old, new) for i in v.nodes for n in v.form_names(i) if n}
    described |= {old.main_name, new.main_name}
    other = [
        Change(name, "", _("added") if name not in old.files else _("removed") if name not in new.files
               else _("changed"))
        for name in sorted(set(old.files) | set(new.files))
        if name not in described and old.files.get(name) != new.files.get(name)
    ]  # fmt: skip
    order = {element_id: n for n, element_id in enumerate(new.nodes)}
    return VersionDiff(
        added=sorted(added, key=lambda e: order.get(e.element_id, 0)),
        removed=removed,
        changed=sorted(changed, key=lambda e: order.get(e.element_id, 0)),
        other=other,
    )
