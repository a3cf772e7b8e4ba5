"""Diagrams drawn in other modelers: a file as Camunda Modeler or spiff-arena's modeler writes it
deploys when it uses what the engine runs (their own extensions are kept and ignored); one with
unsupported elements is refused with every element id and line listed, and nothing is deployed."""

from __future__ import annotations

from engine.models import ProcessVersion

FORM = '{"type": "object", "title": "审核", "properties": {"ok": {"type": "boolean", "title": "同意"}}}'

CAMUNDA = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:modeler="http://camunda.org/schema/modeler/1.0"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.28.0"
  modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.22.0">
  <bpmn:collaboration id="Collaboration_1"><bpmn:participant id="Participant_1" name="费用审核" processRef="fee_review" /></bpmn:collaboration>
  <bpmn:process id="fee_review" name="费用审核" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:laneSet id="LaneSet_1"><bpmn:lane id="Lane_1" name="客服中心">
      <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef><bpmn:flowNodeRef>Activity_Review</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>Gateway_Ok</bpmn:flowNodeRef><bpmn:flowNodeRef>Event_Done</bpmn:flowNodeRef><bpmn:flowNodeRef>Event_Refused</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="提交" camunda:initiator="starter"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_Review" name="审核" camunda:assignee="${starter}" camunda:formKey="embedded:app:review.html">
      <bpmn:extensionElements>
        <camunda:inputOutput><camunda:inputParameter name="limit">5000</camunda:inputParameter></camunda:inputOutput>
        <spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" value="review.schema.json" /></spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="Gateway_Ok" name="同意?" default="Flow_No"><bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:outgoing>Flow_Yes</bpmn:outgoing><bpmn:outgoing>Flow_No</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="Event_Done" name="通过"><bpmn:incoming>Flow_Yes</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="Event_Refused" name="不通过"><bpmn:incoming>Flow_No</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_Review" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_Review" targetRef="Gateway_Ok" />
    <bpmn:sequenceFlow id="Flow_Yes" name="同意" sourceRef="Gateway_Ok" targetRef="Event_Done">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">ok == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_No" sourceRef="Gateway_Ok" targetRef="Event_Refused" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1"><bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Collaboration_1">
    <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="182" y="102" width="36" height="36" /></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

SPIFF_ARENA = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="Definitions_96f6665" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="3.0.0-dev">
  <bpmn:process id="Process_notice_8f2k1x" name="入伙提醒" isExecutable="true">
    <bpmn:laneSet id="LaneSet_0"><bpmn:lane id="Lane_0" name="物业部">
      <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef><bpmn:flowNodeRef>Activity_0a1b2c3</bpmn:flowNodeRef><bpmn:flowNodeRef>Activity_script</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>Event_end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_17db3yp</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="Activity_script" name="准备">
      <bpmn:incoming>Flow_17db3yp</bpmn:incoming><bpmn:outgoing>Flow_0a</bpmn:outgoing>
      <bpmn:script>ok = False</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="Activity_0a1b2c3" name="确认">
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>请确认。</spiffworkflow:instructionsForEndUser>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="review.schema.json" />
          <spiffworkflow:property name="formUiSchemaFilename" value="" />
        </spiffworkflow:properties>
        <spiffworkflow:preScript>limit = 5000</spiffworkflow:preScript>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_0a</bpmn:incoming><bpmn:outgoing>Flow_0b</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_end"><bpmn:incoming>Flow_0b</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_17db3yp" sourceRef="StartEvent_1" targetRef="Activity_script" />
    <bpmn:sequenceFlow id="Flow_0a" sourceRef="Activity_script" targetRef="Activity_0a1b2c3" />
    <bpmn:sequenceFlow id="Flow_0b" sourceRef="Activity_0a1b2c3" targetRef="Event_end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_camunda_modeler_file_deploys_when_it_uses_what_the_engine_runs(api, cast):
    designer = api("analyst")
    draft = designer.post("/api/designer/drafts/", {"key": "fee_review"}, format="json").json()
    saved = designer.put(f"/api/designer/drafts/{draft['id']}/", {"files": {
        "fee_review.bpmn": CAMUNDA, "review.schema.json": FORM}}, format="json").json()  # fmt: skip
    assert saved["problems"] == []
    assert designer.post(f"/api/designer/drafts/{draft['id']}/deploy/", {"note": "从 Camunda Modeler 导入"},
                         format="json").status_code == 201  # fmt: skip
    assert ProcessVersion.objects.get(key="fee_review").version == 1


def test_a_spiff_arena_file_deploys(api, cast):
    designer = api("analyst")
    draft = designer.post("/api/designer/drafts/", {"key": "Process_notice_8f2k1x"}, format="json").json()
    files = {"notice.bpmn": SPIFF_ARENA, "review.schema.json": FORM}
    assert (
        designer.put(f"/api/designer/drafts/{draft['id']}/", {"files": files}, format="json").json()[
            "problems"
        ]
        == []
    )
    assert (
        designer.post(
            f"/api/designer/drafts/{draft['id']}/deploy/", {"note": "spiff-arena"}, format="json"
        ).status_code
        == 201
    )


def test_unsupported_elements_are_listed_by_id_and_line_and_nothing_is_deployed(api, cast):
    unsupported = CAMUNDA.replace(
        '<bpmn:endEvent id="Event_Refused" name="不通过"><bpmn:incoming>Flow_No</bpmn:incoming></bpmn:endEvent>',
        '<bpmn:endEvent id="Event_Refused" name="不通过"><bpmn:incoming>Flow_No</bpmn:incoming></bpmn:endEvent>\n'
        '    <bpmn:complexGateway id="Gateway_Complex" name="复杂"/>\n'
        '    <bpmn:task id="Activity_Ad" name="x"><bpmn:extensionElements><spiffworkflow:unknownThing/></bpmn:extensionElements></bpmn:task>',
    )
    response = api("analyst").post("/api/designer/lint/", {"files": {"fee_review.bpmn": unsupported, "review.schema.json": FORM}},
                                   format="json")  # fmt: skip
    found = response.json()["problems"]

    def line_of(marker: str) -> int:
        return unsupported[: unsupported.index(marker)].count("\n") + 1

    def problem(element_id: str, word: str) -> dict:
        # An element may have several problems (the task here also has no outgoing flow).
        return next(p for p in found if p.get("element_id") == element_id and word in p["message"])

    assert problem("Gateway_Complex", "complexGateway")["line"] == line_of('id="Gateway_Complex"')
    assert problem("Activity_Ad", "unknownThing")["line"] == line_of("<spiffworkflow:unknownThing")
    draft = api("analyst").post("/api/designer/drafts/", {"key": "fee_review"}, format="json").json()
    api("analyst").put(f"/api/designer/drafts/{draft['id']}/", {"files": {"fee_review.bpmn": unsupported,
                                                                          "review.schema.json": FORM}}, format="json")  # fmt: skip
    refused = api("analyst").post(
        f"/api/designer/drafts/{draft['id']}/deploy/", {"note": "试试"}, format="json"
    )
    assert refused.status_code == 400 and not ProcessVersion.objects.filter(key="fee_review").exists()
