"""Drafts: open a flow (a deployed version's files, or a new flow), save the analyst's edits with the
lint's verdict, deploy as a new version with a change note.

The lint is the deploy's own check (engine.deploy.check_flow: safe XML, our rules, SpiffWorkflow's
XSD and parser, forms, scripts in the sandbox), so a draft that lints clean deploys.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from engine import access, clock
from engine.deploy import check_flow, do_deploy_flow
from engine.errors import BadRequest, Conflict, DeployError, FormInvalid, checked_text
from engine.models import ProcessVersion
from forms.text import control_message

from .models import Draft

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
SUFFIXES = (".bpmn", ".dmn", ".schema.json", ".uischema.json", ".json")
MAX_FILES = 80


def check_files(raw: Any) -> dict[str, str]:
    """The files of a draft as sent by the designer: {name: text}. FormInvalid when malformed."""
    if not isinstance(raw, dict) or not raw:
        raise FormInvalid({"files": [_("Send the flow's files as an object of file name to text.")]})
    if len(raw) > MAX_FILES:
        raise FormInvalid({"files": [_("At most %(count)s files.") % {"count": MAX_FILES}]})
    limit = settings.ANJU_MAX_UPLOAD_BYTES
    problems = []
    files: dict[str, str] = {}
    for name, text in raw.items():
        if not isinstance(name, str) or not NAME.match(name) or not name.endswith(SUFFIXES):
            problems.append(
                _("%(name)r is not a file name we keep (letters, digits, . _ -; .bpmn, .dmn or .json).")
                % {"name": name}
            )
        elif not isinstance(text, str):
            problems.append(_("%(name)s: the content must be text.") % {"name": name})
        elif len(text.encode("utf-8")) > limit:
            problems.append(_("%(name)s is larger than %(limit)s bytes.") % {"name": name, "limit": limit})
        elif control_message(text):
            problems.append(f"{name}: {control_message(text)}")
        else:
            files[name] = text
    if problems:
        raise FormInvalid({"files": problems})
    if not any(name.endswith(".bpmn") for name in files):
        raise FormInvalid({"files": [_("A flow needs a .bpmn file.")]})
    return files


def lint(files: dict[str, str]) -> list[dict[str, Any]]:
    """Every problem the deploy would refuse, each with file, element and line ([] when clean)."""
    try:
        check_flow({name: text.encode("utf-8") for name, text in files.items()})
    except DeployError as exc:
        return [p.as_dict() for p in exc.problems]
    return []


def files_of(version: ProcessVersion) -> dict[str, str]:
    return dict(version.files.order_by("name").values_list("name", "content"))


def starter_files(key: str, name: str) -> dict[str, str]:
    """A new flow that deploys as it is: start → one user task in a lane, with a form → end."""
    # the name goes into name="…" attributes: escaped (the key is checked by KEY)
    bpmn = STARTER_BPMN.replace("{key}", key).replace("{name}", escape(name, {'"': "&quot;"}))
    form = '{\n  "$schema": "https://json-schema.org/draft/2020-12/schema",\n  "title": "处理",\n  "type": "object",\n  "properties": {\n    "result": {"type": "string", "title": "处理结果", "maxLength": 2000}\n  },\n  "required": ["result"]\n}\n'
    return {f"{key}.bpmn": bpmn, "handle.schema.json": form}


def do_open_draft(user: Any, key: str, *, version_id: int | None = None, name: str = "") -> Draft:
    """The user's draft of a flow: the existing one, else one from a version of it (the latest when
    none is named), else a new flow."""
    access.require_deploy(user)
    name = checked_text(name, "name")
    key = (key or "").strip()
    if not KEY.match(key):
        raise FormInvalid(
            {"key": [_("A flow key is letters, digits and _, starting with a letter (e.g. repair_request).")]}
        )
    existing = Draft.objects.filter(owner=user, key=key).first()
    if existing is not None and version_id is None:
        return existing
    versions = ProcessVersion.objects.filter(key=key).defer("spec_json")
    version = versions.filter(pk=version_id).first() if version_id else versions.order_by("-version").first()
    if version_id and version is None:
        raise FormInvalid(
            {"version": [_("Version %(id)s is not a version of %(key)s.") % {"id": version_id, "key": key}]}
        )
    files = files_of(version) if version else starter_files(key, (name or key).strip()[:100])
    now = clock.now()
    values = {"files": files, "base_version": version, "name": version.name if version else (name or key)[:200],
              "problems": [], "updated_at": now}  # fmt: skip
    try:
        draft, _created = Draft.objects.update_or_create(
            owner=user, key=key, defaults=values, create_defaults={**values, "created_at": now}
        )
    except IntegrityError as exc:  # the same draft opened twice at once
        raise Conflict(_("This draft was just opened elsewhere; reload the page.")) from exc
    return draft


def do_save_draft(user: Any, draft: Draft, raw_files: Any) -> Draft:
    """Keep the edited files and what the lint says of them (a draft may have problems)."""
    files = check_files(raw_files)
    draft.files = files
    draft.problems = lint(files)
    draft.updated_at = clock.now()
    draft.save(update_fields=["files", "problems", "updated_at"])
    return draft


def do_deploy_draft(user: Any, draft: Draft, note: str) -> tuple[ProcessVersion, bool]:
    """Deploy the draft as a new version (DeployError with every problem when it does not lint
    clean); identical content is not deployed twice."""
    access.require_deploy(user)
    note = checked_text(note, "note")
    if not note:
        raise FormInvalid({"note": [_("Say what changed in this version.")]})
    with transaction.atomic():
        version, created = do_deploy_flow(
            {name: text.encode("utf-8") for name, text in draft.files.items()}, user=user, note=note[:2000]
        )
        if version.key != draft.key:
            raise BadRequest(
                _("The diagram's process id is %(found)s; this draft is for %(key)s.")
                % {"found": version.key, "key": draft.key}
            )
        Draft.objects.filter(pk=draft.pk).update(base_version=version, problems=[], updated_at=clock.now())
    return version, created


STARTER_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_{key}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Anju designer" exporterVersion="1.0">
  <bpmn:collaboration id="Collaboration_{key}">
    <bpmn:participant id="Participant_{key}" name="{name}" processRef="{key}" />
  </bpmn:collaboration>
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:laneSet id="LaneSet_{key}">
      <bpmn:lane id="Lane_CustomerService" name="客服中心">
        <bpmn:flowNodeRef>Start_Request</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_Handle</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>End_Done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Start_Request" name="开始">
      <bpmn:outgoing>Flow_StartToHandle</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Task_Handle" name="处理">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="handle.schema.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_StartToHandle</bpmn:incoming>
      <bpmn:outgoing>Flow_HandleToEnd</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="End_Done" name="结束">
      <bpmn:incoming>Flow_HandleToEnd</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_StartToHandle" sourceRef="Start_Request" targetRef="Task_Handle" />
    <bpmn:sequenceFlow id="Flow_HandleToEnd" sourceRef="Task_Handle" targetRef="End_Done" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_{key}">
    <bpmndi:BPMNPlane id="Plane_{key}" bpmnElement="Collaboration_{key}">
      <bpmndi:BPMNShape id="Participant_{key}_di" bpmnElement="Participant_{key}" isHorizontal="true">
        <dc:Bounds x="120" y="80" width="600" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_CustomerService_di" bpmnElement="Lane_CustomerService" isHorizontal="true">
        <dc:Bounds x="150" y="80" width="570" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Start_Request_di" bpmnElement="Start_Request">
        <dc:Bounds x="212" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_Handle_di" bpmnElement="Task_Handle">
        <dc:Bounds x="330" y="140" width="110" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="End_Done_di" bpmnElement="End_Done">
        <dc:Bounds x="532" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_StartToHandle_di" bpmnElement="Flow_StartToHandle">
        <di:waypoint x="248" y="180" />
        <di:waypoint x="330" y="180" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_HandleToEnd_di" bpmnElement="Flow_HandleToEnd">
        <di:waypoint x="440" y="180" />
        <di:waypoint x="532" y="180" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
