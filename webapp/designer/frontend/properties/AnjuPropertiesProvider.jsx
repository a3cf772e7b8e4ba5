/* The "Anju" group of the properties panel: our spiffworkflow extensions per element.
 *
 *   user task / start event  form file and UI schema (the draft's files), lane (the default
 *                            candidate group) and candidateGroup, dueIn + businessTime,
 *                            completeHook, instructions, the SLA policies that match
 *   service task             operator (the adapter registry), one entry per declared parameter,
 *                            result variable
 *   script task              the script; every task: preScript / postScript
 *   sequence flow            the condition (out of a gateway or an activity)
 *   timer event              a check of the timer expression, businessTime
 *   lane                     its work group; message catch events: messageVariable;
 *   business rule task       calledDecisionId
 *
 * Scripts and expressions have a "Check" button: POST /api/designer/check-script/ (the sandbox,
 * as at deploy). What the group needs from the page comes from the `anjuContext` value.
 *
 * The panel spreads each entry object into its component's props, so the components below are
 * stable functions configured by entry fields (a component made per render would lose the
 * focus of the field being typed in). */

import {
  CheckboxEntry, Group, SelectEntry, TextAreaEntry, TextFieldEntry, isCheckboxEntryEdited, isSelectEntryEdited,
  isTextAreaEntryEdited, isTextFieldEntryEdited
} from '@bpmn-io/properties-panel';
import { useEffect, useState } from '@bpmn-io/properties-panel/preact/hooks';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';

import {
  ATTACHED_TASK, BUSINESS_TIME, CANDIDATE_GROUP, DEADLINE, COMPLETE_HOOK, DUE_IN, FORM, UI_FORM, bodyExtension, effectiveLane, execute,
  hooksFor, processIdOf,
  messageDefinition, operatorParameters, serviceOperator, setBodyExtensionCommands, setOperatorAttributeCommands,
  setOperatorCommands, setParameterCommands, setSpiffPropertyCommands, spiffProperty, timerDefinition,
  timerExpression
} from '../extensions.js';

const LOW_PRIORITY = 500;

function useServices() {
  return {
    bpmnFactory: useService('bpmnFactory'),
    commandStack: useService('commandStack'),
    debounce: useService('debounceInput'),
    context: useService('anjuContext')
  };
}

// --- generic components ------------------------------------------------------------------

/** A spiffworkflow:property as a text field (entry fields: name, label, description, placeholder). */
function PropertyText(props) {
  const { element, id, name, label, description, placeholder } = props;
  const services = useServices();
  return <TextFieldEntry
    element={ element } id={ id } label={ label } description={ description } placeholder={ placeholder }
    debounce={ services.debounce }
    getValue={ () => spiffProperty(getBusinessObject(element), name) || '' }
    setValue={ (value) => execute(services, setSpiffPropertyCommands(services, element, name, value)) } />;
}

/** A spiffworkflow:property chosen from a list (entry fields: name, label, description, choices()). */
function PropertySelect(props) {
  const { element, id, name, label, description, choices } = props;
  const services = useServices();
  const t = services.context.translate;
  const getOptions = function() {
    const current = spiffProperty(getBusinessObject(element), name);
    const known = choices();
    const options = [ { value: '', label: t('(none)') } ].concat(known.map((c) => ({ value: c, label: c })));
    if (current && known.indexOf(current) === -1) {
      options.push({ value: current, label: t('{name} (missing)', { name: current }) });
    }
    return options;
  };
  return <SelectEntry
    element={ element } id={ id } label={ label } description={ description } getOptions={ getOptions }
    getValue={ () => spiffProperty(getBusinessObject(element), name) || '' }
    setValue={ (value) => execute(services, setSpiffPropertyCommands(services, element, name, value)) } />;
}

/** A body extension (instructionsForEndUser, preScript …): entry fields type, label, rows, target(). */
function BodyText(props) {
  const { element, id, type, label, description, rows, monospace, target } = props;
  const services = useServices();
  const bo = function() {
    return target ? target(element) : getBusinessObject(element);
  };
  const common = {
    element, id, label, description, debounce: services.debounce,
    getValue: () => bodyExtension(bo(), type),
    setValue: (value) => execute(services, setBodyExtensionCommands(services, element, type, value, bo()))
  };
  return rows ? <TextAreaEntry { ...common } rows={ rows } monospace={ monospace } autoResize />
    : <TextFieldEntry { ...common } />;
}

/** A "Check" button: the sandbox's verdict on scripts (mode exec) or expressions (mode eval);
 * entry field getCodes() gives [{code, label, problem}] (problem: one found in the browser). */
function CheckEntry(props) {
  const { element, id, getCodes, mode } = props;
  const { context } = useServices();
  const t = context.translate;
  const [ result, setResult ] = useState(null);
  useEffect(() => setResult(null), [ element ]);
  const onClick = async function() {
    // what is typed counts, also before the field's debounced change reaches the diagram
    const codes = getCodes().map(function(entry) {
      const field = entry.field && document.getElementById('bio-properties-panel-' + entry.field);
      return field ? Object.assign({}, entry, { code: field.value }) : entry;
    }).filter((entry) => (entry.code && entry.code.trim()) || entry.problem);
    if (!codes.length) {
      setResult({ empty: true });
      return;
    }
    setResult({ busy: true });
    const problems = [];
    for (const entry of codes) {
      if (entry.problem) {
        problems.push({ label: entry.label, message: entry.problem });
        continue;
      }
      const checked = await context.checkCode(entry.code, mode);
      if (checked.error) {
        problems.push({ label: entry.label, message: checked.error });
      }
      (checked.problems || []).forEach((p) => problems.push({ label: entry.label, line: p.line, message: p.message }));
    }
    setResult({ ok: !problems.length, problems });
  };
  let verdict = null;
  if (result && result.busy) {
    verdict = <div class="anju-check-result small text-body-secondary">{ t('Checking…') }</div>;
  } else if (result && result.empty) {
    verdict = <div class="anju-check-result small text-body-secondary">{ t('Nothing to check yet.') }</div>;
  } else if (result && result.ok) {
    verdict = <div class="anju-check-result anju-check-ok small text-success">{ t('The sandbox accepts it.') }</div>;
  } else if (result) {
    verdict = <ul class="anju-check-result anju-check-problems small text-danger mb-0 ps-3">
      { result.problems.map((p) => <li>
        { p.label ? p.label + ': ' : '' }
        { p.line ? t('line {line}: {message}', { line: p.line, message: p.message }) : p.message }
      </li>) }
    </ul>;
  }
  return <div class="bio-properties-panel-entry anju-check" data-entry-id={ id }>
    <button type="button" class="btn btn-sm btn-outline-secondary anju-check-button" id={ 'anju-' + id }
      onMouseDown={ (event) => event.preventDefault() } onClick={ onClick }>{ mode === 'exec' ? t('Check script') : t('Check expression') }</button>
    { verdict }
  </div>;
}

/** Read-only text (entry fields: label, text, danger). */
function Note(props) {
  const { id, label, text, danger } = props;
  return <div class="bio-properties-panel-entry anju-note" data-entry-id={ id }>
    { label ? <div class="bio-properties-panel-label">{ label }</div> : null }
    <div class={ 'anju-note-body small' + (danger ? ' text-danger' : ' text-body-secondary') } id={ 'anju-note-' + id }>{ text }</div>
  </div>;
}

// --- user tasks and start events -------------------------------------------------------

function LaneEntry(props) {
  const { element, id } = props;
  const { context } = useServices();
  const elementRegistry = useService('elementRegistry');
  const t = context.translate;
  const lane = effectiveLane(element, elementRegistry);
  return <div class="bio-properties-panel-entry anju-note" data-entry-id={ id }>
    <div class="bio-properties-panel-label">{ t('Lane (the default candidate group)') }</div>
    { lane ? <div class="anju-lane-name fw-semibold" id="anju-lane-name">{ lane }</div>
      : <div class="small text-danger" id="anju-lane-name">{ t('Not in a named lane: move the task into a lane.') }</div> }
  </div>;
}

function SlaEntry(props) {
  const { element, id } = props;
  const { context } = useServices();
  const t = context.translate;
  const elementId = getBusinessObject(element).id;
  const policies = (context.catalogue.sla_policies || []).filter(function(policy) {
    const forFlow = !policy.process_key || policy.process_key === context.processKey();
    const ids = (policy.element_id || '').split(',').map((s) => s.trim()).filter(Boolean);
    return forFlow && (!ids.length || ids.indexOf(elementId) !== -1);
  });
  const modeLabel = (mode) => (mode === 'calendar' ? t('calendar time') : t('working time'));
  return <div class="bio-properties-panel-entry anju-note" data-entry-id={ id }>
    <div class="bio-properties-panel-label">{ t('SLA policies that match') }</div>
    { policies.length ? <ul class="mb-1 ps-3 small anju-sla-list" id="anju-sla-list">
      { policies.map((p) => <li>
        <a href={ context.urls.sla_admin + p.id + '/change/' } target="_blank" rel="noopener">{ p.name }</a>
        { ' · ' + t('respond {response}, resolve {resolution} ({mode})', {
          response: p.response_target || '—', resolution: p.resolution_target || '—', mode: modeLabel(p.mode) }) }
      </li>) }
    </ul> : <div class="small text-body-secondary">{ t('No SLA policy matches this element.') }</div> }
    <a class="small" href={ context.urls.sla_admin } target="_blank" rel="noopener">{ t('Manage SLA policies') } ›</a>
  </div>;
}

function BusinessTimeEntry(props) {
  const { element, id, label } = props;
  const services = useServices();
  return <CheckboxEntry element={ element } id={ id } label={ label }
    getValue={ () => spiffProperty(getBusinessObject(element), BUSINESS_TIME) === 'true' }
    setValue={ (value) => execute(services, setSpiffPropertyCommands(services, element, BUSINESS_TIME, value ? 'true' : '')) } />;
}

function DeadlineEntry(props) {
  const { element, id, label } = props;
  const services = useServices();
  return <CheckboxEntry element={ element } id={ id } label={ label }
    getValue={ () => spiffProperty(getBusinessObject(element), DEADLINE) === ATTACHED_TASK }
    setValue={ (value) => execute(services, setSpiffPropertyCommands(services, element, DEADLINE, value ? ATTACHED_TASK : '')) } />;
}

/** A boundary timer on a user task may follow that task's deadline (its SLA, pause-aware). */
function onUserTask(element) {
  const host = getBusinessObject(element).get('attachedToRef');
  return is(element, 'bpmn:BoundaryEvent') && host && is(host, 'bpmn:UserTask');
}

function propertyCode(name, field) {
  return (element) => [ { code: spiffProperty(getBusinessObject(element), name), field } ];
}

function formEntries(element, context, isUserTask) {
  const t = context.translate;
  const files = (suffix) => () => context.files().filter((name) => name.endsWith(suffix)).sort();
  const entries = [];
  if (isUserTask) {
    entries.push({ id: 'anju-lane', component: LaneEntry });
    entries.push({
      id: 'anju-candidateGroup', component: PropertyText, isEdited: isTextFieldEntryEdited, name: CANDIDATE_GROUP,
      label: t('Candidate group (expression)'),
      description: t('Optional: a Python expression giving the work group from the data, e.g. rectify_group. Empty: the lane. Work groups: {groups}', { groups: (context.catalogue.lanes || []).join('、') })
    });
    entries.push({ id: 'check-candidateGroup', component: CheckEntry, mode: 'eval', getCodes: () => propertyCode(CANDIDATE_GROUP, 'anju-candidateGroup')(element) });
  }
  entries.push({
    id: 'anju-form', component: PropertySelect, isEdited: isSelectEntryEdited, name: FORM,
    label: t('Form (JSON schema)'), description: t('A *.schema.json file of this flow; add one under Files.'),
    choices: files('.schema.json')
  });
  entries.push({
    id: 'anju-uiform', component: PropertySelect, isEdited: isSelectEntryEdited, name: UI_FORM,
    label: t('UI schema'), choices: files('.uischema.json')
  });
  if (isUserTask) {
    entries.push({
      id: 'anju-dueIn', component: PropertyText, isEdited: isTextFieldEntryEdited, name: DUE_IN,
      label: t('Due in (expression)'), placeholder: '"PT24H"',
      description: t('An ISO 8601 duration as a Python expression: "PT2H" with the quotes, or a variable. A matching SLA policy takes its place.')
    });
    entries.push({ id: 'check-dueIn', component: CheckEntry, mode: 'eval', getCodes: () => propertyCode(DUE_IN, 'anju-dueIn')(element) });
    entries.push({
      id: 'anju-businessTime', component: BusinessTimeEntry, isEdited: isCheckboxEntryEdited,
      label: t('Count in working time (businessTime)')
    });
  }
  const hookName = spiffProperty(getBusinessObject(element), COMPLETE_HOOK);
  const hooks = hooksFor(context.catalogue, processIdOf(getBusinessObject(element)) || context.processKey());
  const hook = hooks.find((h) => h.name === hookName);
  entries.push({
    id: 'anju-completeHook', component: PropertySelect, isEdited: isSelectEntryEdited, name: COMPLETE_HOOK,
    label: t('Completion hook'),
    description: hook ? hook.description : t('Runs inside the step that completes the task and may refuse it.'),
    choices: () => hooks.map((h) => h.name)
  });
  entries.push({
    id: 'anju-instructions', component: BodyText, isEdited: isTextAreaEntryEdited,
    type: 'spiffworkflow:InstructionsForEndUser', rows: 4, label: t('Instructions for the worker')
  });
  if (isUserTask) {
    entries.push({ id: 'anju-sla', component: SlaEntry });
  }
  return entries;
}

// --- service tasks ---------------------------------------------------------------------------

function operatorOf(element, context) {
  const operator = serviceOperator(getBusinessObject(element));
  const name = operator ? operator.get('id') || '' : '';
  return { operator, name, declared: (context.catalogue.operators || []).find((op) => op.name === name) };
}

function OperatorEntry(props) {
  const { element, id } = props;
  const services = useServices();
  const { context } = services;
  const t = context.translate;
  const { name, declared } = operatorOf(element, context);
  const getOptions = function() {
    const options = [ { value: '', label: t('(none)') } ].concat(
      (context.catalogue.operators || []).map((op) => ({ value: op.name, label: op.name })));
    if (name && !declared) {
      options.push({ value: name, label: t('{name} (missing)', { name }) });
    }
    return options;
  };
  const setValue = function(value) {
    const op = (context.catalogue.operators || []).find((o) => o.name === value);
    execute(services, setOperatorCommands(services, element, value, op ? op.params.map((p) => p.name) : null));
  };
  return <SelectEntry element={ element } id={ id } label={ t('Operator') } getOptions={ getOptions }
    description={ declared ? declared.description : t('The adapter operation this task calls.') }
    getValue={ () => name } setValue={ setValue } />;
}

function ParameterEntry(props) {
  const { element, id, param, label } = props;
  const services = useServices();
  const value = function() {
    const found = operatorParameters(serviceOperator(getBusinessObject(element))).find((p) => p.get('id') === param.name);
    return found ? found.get('value') || '' : '';
  };
  return <TextFieldEntry element={ element } id={ id } debounce={ services.debounce } label={ label }
    description={ param.description } getValue={ value }
    setValue={ (v) => execute(services, setParameterCommands(services, element, param.name, v)) } />;
}

function ResultVariableEntry(props) {
  const { element, id, label, description } = props;
  const services = useServices();
  return <TextFieldEntry element={ element } id={ id } debounce={ services.debounce } label={ label } description={ description }
    getValue={ () => {
      const operator = serviceOperator(getBusinessObject(element));
      return operator ? operator.get('resultVariable') || '' : '';
    } }
    setValue={ (value) => execute(services, setOperatorAttributeCommands(services, element, 'resultVariable', value)) } />;
}

function serviceEntries(element, context) {
  const t = context.translate;
  const { operator, declared } = operatorOf(element, context);
  const entries = [ { id: 'anju-operator', component: OperatorEntry, isEdited: isSelectEntryEdited } ];
  if (!operator) {
    return entries;
  }
  (declared ? declared.params : []).forEach(function(param) {
    entries.push({
      id: 'anju-param-' + param.name, component: ParameterEntry, isEdited: isTextFieldEntryEdited, param,
      label: param.required ? t('{name} (required)', { name: param.name }) : param.name
    });
  });
  const unknown = operatorParameters(operator).filter((p) => !declared || !declared.params.some((d) => d.name === p.get('id')));
  if (unknown.length) {
    entries.push({
      id: 'anju-unknown-params', component: Note, danger: true, label: t('Parameters this operator does not take'),
      text: unknown.map((p) => p.get('id') + ' = ' + p.get('value')).join('; ')
    });
  }
  entries.push({
    id: 'check-params', component: CheckEntry, mode: 'eval',
    getCodes: () => operatorParameters(serviceOperator(getBusinessObject(element))).map((p) => ({ label: p.get('id'), code: p.get('value'), field: 'anju-param-' + p.get('id') }))
  });
  entries.push({
    id: 'anju-resultVariable', component: ResultVariableEntry, isEdited: isTextFieldEntryEdited,
    label: t('Result variable'), description: t('The task data key that receives what the operator returns.')
  });
  return entries;
}

// --- scripts, conditions, timers, lanes ------------------------------------------------------

function ScriptEntry(props) {
  const { element, id, label } = props;
  const services = useServices();
  const modeling = useService('modeling');
  const bo = getBusinessObject(element);
  return <TextAreaEntry element={ element } id={ id } label={ label } rows={ 8 } monospace autoResize
    debounce={ services.debounce } getValue={ () => bo.get('script') || '' }
    setValue={ (value) => modeling.updateProperties(element, { script: value || undefined, scriptFormat: bo.get('scriptFormat') || 'python' }) } />;
}

function ConditionEntry(props) {
  const { element, id, label, description } = props;
  const services = useServices();
  const modeling = useService('modeling');
  const bo = getBusinessObject(element);
  const setValue = function(value) {
    if (!value || !value.trim()) {
      modeling.updateProperties(element, { conditionExpression: undefined });
      return;
    }
    const expression = services.bpmnFactory.create('bpmn:FormalExpression', { body: value });
    modeling.updateProperties(element, { conditionExpression: expression });
  };
  return <TextAreaEntry element={ element } id={ id } label={ label } rows={ 2 } monospace autoResize
    debounce={ services.debounce } description={ description }
    getValue={ () => (bo.get('conditionExpression') && bo.get('conditionExpression').get('body')) || '' }
    setValue={ setValue } />;
}

function LaneGroupEntry(props) {
  const { element, id, label, description } = props;
  const services = useServices();
  const modeling = useService('modeling');
  const t = services.context.translate;
  const lanes = services.context.catalogue.lanes || [];
  const current = getBusinessObject(element).get('name') || '';
  const getOptions = function() {
    const options = [ { value: '', label: t('(none)') } ].concat(lanes.map((name) => ({ value: name, label: name })));
    if (current && lanes.indexOf(current) === -1) {
      options.push({ value: current, label: t('{name} (not a work group)', { name: current }) });
    }
    return options;
  };
  return <SelectEntry element={ element } id={ id } label={ label } getOptions={ getOptions } description={ description }
    getValue={ () => current } setValue={ (value) => modeling.updateLabel(element, value) } />;
}

function isDefaultFlow(bo) {
  const source = bo.get('sourceRef');
  return !!(source && source.get('default') === bo);
}

function codeEntries(element, context) {
  const t = context.translate;
  const bo = getBusinessObject(element);
  const entries = [];
  if (is(element, 'bpmn:ScriptTask')) {
    entries.push({ id: 'anju-script', component: ScriptEntry, isEdited: isTextAreaEntryEdited, label: t('Script (Python)') });
    entries.push({ id: 'check-script', component: CheckEntry, mode: 'exec', getCodes: () => [ { code: getBusinessObject(element).get('script'), field: 'anju-script' } ] });
  }
  if (is(element, 'bpmn:Activity') && !is(element, 'bpmn:SubProcess')) {
    [ [ 'preScript', 'spiffworkflow:PreScript', t('Pre-script (runs before the task)') ],
      [ 'postScript', 'spiffworkflow:PostScript', t('Post-script (runs after the task)') ] ].forEach(function([ key, type, label ]) {
      entries.push({ id: 'anju-' + key, component: BodyText, isEdited: isTextAreaEntryEdited, type, rows: 3, monospace: true, label });
      entries.push({
        id: 'check-' + key, component: CheckEntry, mode: 'exec',
        getCodes: () => [ { code: bodyExtension(getBusinessObject(element), type), field: 'anju-' + key } ]
      });
    });
  }
  if (is(element, 'bpmn:SequenceFlow')) {
    const source = bo.get('sourceRef');
    if (isDefaultFlow(bo)) {
      entries.push({ id: 'anju-default-flow', component: Note, text: t('The default flow: taken when no other condition holds; it needs none.') });
    } else if (source && isAny(source, [ 'bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway', 'bpmn:Activity' ])) {
      entries.push({
        id: 'anju-condition', component: ConditionEntry, isEdited: isTextAreaEntryEdited, label: t('Condition (Python expression)'),
        description: t('True takes this flow, e.g. department == "engineering". Variables it reads must exist.')
      });
      entries.push({
        id: 'check-condition', component: CheckEntry, mode: 'eval', getCodes: () => {
          const expression = getBusinessObject(element).get('conditionExpression');
          return [ { code: expression ? expression.get('body') : '', field: 'anju-condition' } ];
        }
      });
    }
  }
  if (is(element, 'bpmn:Event') && timerDefinition(bo)) {
    entries.push({
      id: 'anju-timer-note', component: Note,
      text: t('Timer values are Python expressions: quote literals ("PT24H", "2026-12-01T09:00:00+08:00", "R3/PT1H") or name a variable.')
    });
    entries.push({
      id: 'check-timer', component: CheckEntry, mode: 'eval', getCodes: () => {
        const [ kind, text ] = timerExpression(timerDefinition(getBusinessObject(element)));
        const labels = { timeDuration: t('Duration'), timeDate: t('Date'), timeCycle: t('Cycle') };
        return [ { code: text, label: labels[kind] || '', problem: context.timerProblem(kind, text) } ];
      }
    });
    const followsTask = spiffProperty(bo, DEADLINE) === ATTACHED_TASK;
    if (onUserTask(element)) {
      entries.push({
        id: 'anju-timer-deadline', component: DeadlineEntry, isEdited: isCheckboxEntryEdited,
        label: t("Fire at the task's deadline (its SLA, held while paused)"),
        description: t('The timer then ignores its own duration unless the task has no deadline; use it for overdue reminders.')
      });
    }
    if (!followsTask) {
      entries.push({
        id: 'anju-timer-businessTime', component: BusinessTimeEntry, isEdited: isCheckboxEntryEdited,
        label: t('Count the duration in working time (businessTime)')
      });
    }
  }
  return entries;
}

function otherEntries(element, context) {
  const t = context.translate;
  const bo = getBusinessObject(element);
  const entries = [];
  if (is(element, 'bpmn:Lane')) {
    entries.push({
      id: 'anju-lane-group', component: LaneGroupEntry, isEdited: isSelectEntryEdited, label: t('Work group'),
      description: t("The lane's name is the work group whose members may claim its user tasks.")
    });
  }
  if (is(element, 'bpmn:BusinessRuleTask')) {
    entries.push({
      id: 'anju-calledDecisionId', component: BodyText, isEdited: isTextFieldEntryEdited, type: 'spiffworkflow:CalledDecisionId',
      label: t('Decision (DMN decision id)'), description: t("The id of a decision in one of this flow's .dmn files.")
    });
  }
  if (is(element, 'bpmn:Event') && messageDefinition(bo) &&
      isAny(element, [ 'bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent', 'bpmn:StartEvent' ])) {
    entries.push({
      id: 'anju-messageVariable', component: BodyText, isEdited: isTextFieldEntryEdited, type: 'spiffworkflow:MessageVariable',
      label: t('Message variable'), description: t('The task data key that receives the message payload.'),
      target: (el) => messageDefinition(getBusinessObject(el))
    });
  }
  return entries;
}

export default class AnjuPropertiesProvider {
  constructor(propertiesPanel, anjuContext) {
    this._context = anjuContext;
    propertiesPanel.registerProvider(LOW_PRIORITY, this);
  }

  getGroups(element) {
    const context = this._context;
    return function(groups) {
      let entries = [];
      if (is(element, 'bpmn:UserTask')) {
        entries = entries.concat(formEntries(element, context, true));
      } else if (is(element, 'bpmn:StartEvent')) {
        entries = entries.concat(formEntries(element, context, false));
      }
      if (is(element, 'bpmn:ServiceTask')) {
        entries = entries.concat(serviceEntries(element, context));
      }
      entries = entries.concat(codeEntries(element, context), otherEntries(element, context));
      if (!entries.length) {
        return groups;
      }
      const group = { id: 'anju', label: context.translate('Anju properties'), entries, component: Group, shouldOpen: true };
      const general = groups.findIndex((g) => g.id === 'general');
      groups.splice(general === -1 ? 0 : general + 1, 0, group);
      return groups;
    };
  }
}

AnjuPropertiesProvider.$inject = [ 'propertiesPanel', 'anjuContext' ];
