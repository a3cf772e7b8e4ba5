/* Reading and writing our spiffworkflow:* extension elements (the moddle types of
 * spiffworkflow.json) on bpmn-js business objects. Writers return commands for
 * 'properties-panel.multi-command-executor', so one edit is one undo step. */

import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

export const FORM = 'formJsonSchemaFilename';
export const UI_FORM = 'formUiSchemaFilename';
export const DUE_IN = 'dueIn';
export const BUSINESS_TIME = 'businessTime';
export const DEADLINE = 'deadline'; // on a boundary timer of a user task: ATTACHED_TASK = fire at its deadline
export const ATTACHED_TASK = 'attachedTask';
export const COMPLETE_HOOK = 'completeHook';
export const CANDIDATE_GROUP = 'candidateGroup';

export function extensionValues(bo) {
  const ext = bo && bo.get ? bo.get('extensionElements') : null;
  return (ext && ext.get('values')) || [];
}

export function findExtension(bo, type) {
  return extensionValues(bo).find(function(value) {
    return is(value, type);
  });
}

/** spiffworkflow:properties of an element as {name: value}. */
export function spiffProperties(bo) {
  const result = {};
  const container = findExtension(bo, 'spiffworkflow:Properties');
  ((container && container.get('properties')) || []).forEach(function(property) {
    result[property.get('name')] = property.get('value');
  });
  return result;
}

export function spiffProperty(bo, name) {
  return spiffProperties(bo)[name];
}

/** The id of the process a business object lies in ('' outside any): its flow's key for the top process. */
export function processIdOf(bo) {
  let current = bo;
  while (current && !is(current, 'bpmn:Process')) {
    current = current.$parent;
  }
  return current ? current.get('id') || '' : '';
}

/** The catalogue's completion hooks an element of this process may name: those registered for its
 * flow and those registered for any flow (engine.hooks: flows = []). */
export function hooksFor(catalogue, processId) {
  return ((catalogue && catalogue.hooks) || []).filter(function(hook) {
    return !hook.flows || !hook.flows.length || hook.flows.indexOf(processId) !== -1;
  });
}

/** The text of a body extension (instructionsForEndUser, preScript, calledDecisionId …). */
export function bodyExtension(bo, type) {
  const found = findExtension(bo, type);
  return found ? found.get('value') || '' : '';
}

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

function isEmpty(value) {
  return value === undefined || value === null || String(value).trim() === '';
}

/**
 * Commands that add `created` (a new extension) to bo's extensionElements, creating those when
 * missing; or that remove `removed` from them.
 */
function changeExtensions(services, element, bo, { created, removed }) {
  const { bpmnFactory } = services;
  let ext = bo.get('extensionElements');
  if (!ext) {
    if (!created) {
      return [];
    }
    ext = bpmnFactory.create('bpmn:ExtensionElements', { values: [ created ] });
    ext.$parent = bo;
    created.$parent = ext;
    return [ update(element, bo, { extensionElements: ext }) ];
  }
  let values = ext.get('values').slice();
  if (removed) {
    values = values.filter(function(value) {
      return value !== removed;
    });
  }
  if (created) {
    created.$parent = ext;
    values.push(created);
  }
  if (!values.length) {
    return [ update(element, bo, { extensionElements: undefined }) ];
  }
  return [ update(element, ext, { values }) ];
}

/** Commands that set (or, for an empty value, remove) one spiffworkflow:property. */
export function setSpiffPropertyCommands(services, element, name, value, bo) {
  const { bpmnFactory } = services;
  bo = bo || getBusinessObject(element);
  const container = findExtension(bo, 'spiffworkflow:Properties');
  const properties = (container && container.get('properties')) || [];
  const existing = properties.find(function(property) {
    return property.get('name') === name;
  });
  if (isEmpty(value)) {
    if (!existing) {
      return [];
    }
    const rest = properties.filter(function(property) {
      return property !== existing;
    });
    if (!rest.length) {
      return changeExtensions(services, element, bo, { removed: container });
    }
    return [ update(element, container, { properties: rest }) ];
  }
  if (existing) {
    return [ update(element, existing, { value: String(value) }) ];
  }
  const property = bpmnFactory.create('spiffworkflow:Property', { name, value: String(value) });
  if (container) {
    property.$parent = container;
    return [ update(element, container, { properties: properties.concat([ property ]) }) ];
  }
  const created = bpmnFactory.create('spiffworkflow:Properties', { properties: [ property ] });
  property.$parent = created;
  return changeExtensions(services, element, bo, { created });
}

/** Commands that set (or remove, when empty) a body extension such as spiffworkflow:preScript. */
export function setBodyExtensionCommands(services, element, type, value, bo) {
  const { bpmnFactory } = services;
  bo = bo || getBusinessObject(element);
  const existing = findExtension(bo, type);
  if (isEmpty(value)) {
    return existing ? changeExtensions(services, element, bo, { removed: existing }) : [];
  }
  if (existing) {
    return [ update(element, existing, { value }) ];
  }
  return changeExtensions(services, element, bo, { created: bpmnFactory.create(type, { value }) });
}

export function execute(services, commands) {
  if (commands.length) {
    services.commandStack.execute('properties-panel.multi-command-executor', commands);
  }
}

// --- service tasks -----------------------------------------------------------------------

export function serviceOperator(bo) {
  return findExtension(bo, 'spiffworkflow:ServiceTaskOperator');
}

export function operatorParameters(operator) {
  const list = operator && operator.get('parameterList');
  return (list && list.get('parameters')) || [];
}

/** Commands that name the operator; parameters the new operator does not take are dropped. */
export function setOperatorCommands(services, element, name, known) {
  const { bpmnFactory } = services;
  const bo = getBusinessObject(element);
  const operator = serviceOperator(bo);
  if (isEmpty(name)) {
    return operator ? changeExtensions(services, element, bo, { removed: operator }) : [];
  }
  if (!operator) {
    const created = bpmnFactory.create('spiffworkflow:ServiceTaskOperator', { id: name });
    const list = bpmnFactory.create('spiffworkflow:Parameters', { parameters: [] });
    list.$parent = created;
    created.set('parameterList', list);
    return changeExtensions(services, element, bo, { created });
  }
  const commands = [ update(element, operator, { id: name }) ];
  const list = operator.get('parameterList');
  if (list && known) {
    const keep = list.get('parameters').filter(function(parameter) {
      return known.indexOf(parameter.get('id')) !== -1;
    });
    commands.push(update(element, list, { parameters: keep }));
  }
  return commands;
}

export function setOperatorAttributeCommands(services, element, attribute, value) {
  const operator = serviceOperator(getBusinessObject(element));
  if (!operator) {
    return [];
  }
  return [ update(element, operator, { [attribute]: isEmpty(value) ? undefined : value }) ];
}

/** Commands that set one parameter's expression (removing it when empty). */
export function setParameterCommands(services, element, id, value) {
  const { bpmnFactory } = services;
  const operator = serviceOperator(getBusinessObject(element));
  if (!operator) {
    return [];
  }
  let list = operator.get('parameterList');
  const commands = [];
  if (!list) {
    list = bpmnFactory.create('spiffworkflow:Parameters', { parameters: [] });
    list.$parent = operator;
    commands.push(update(element, operator, { parameterList: list }));
  }
  const parameters = list.get('parameters') || [];
  const existing = parameters.find(function(parameter) {
    return parameter.get('id') === id;
  });
  if (isEmpty(value)) {
    if (existing) {
      commands.push(update(element, list, { parameters: parameters.filter((p) => p !== existing) }));
    }
    return commands;
  }
  if (existing) {
    commands.push(update(element, existing, { value }));
    return commands;
  }
  const parameter = bpmnFactory.create('spiffworkflow:Parameter', { id, type: 'any', value });
  parameter.$parent = list;
  commands.push(update(element, list, { parameters: parameters.concat([ parameter ]) }));
  return commands;
}

// --- lanes -------------------------------------------------------------------------------

function lanesOf(bo, elementRegistry) {
  return elementRegistry.filter(function(shape) {
    return is(shape, 'bpmn:Lane') && (shape.businessObject.get('flowNodeRef') || []).indexOf(bo) !== -1;
  }).map(function(shape) {
    return shape.businessObject;
  });
}

function depth(lane) {
  let count = 0;
  let node = lane;
  while (node && node.$parent) {
    count += 1;
    node = node.$parent;
  }
  return count;
}

/** The lane name SpiffWorkflow gives a flow node: an embedded subprocess lying in a lane passes
 * its lane on (the outermost wins), else the innermost lane holding the node (engine/lint.py). */
export function effectiveLane(element, elementRegistry) {
  const bo = getBusinessObject(element);
  const own = function(node) {
    const lanes = lanesOf(node, elementRegistry);
    lanes.sort(function(a, b) {
      return depth(b) - depth(a);
    });
    return lanes.length ? lanes[0].get('name') || '' : '';
  };
  let found = '';
  let parent = bo.$parent;
  while (parent) {
    if (is(parent, 'bpmn:SubProcess')) {
      const lane = own(parent);
      if (lane) {
        found = lane;
      }
    }
    parent = parent.$parent;
  }
  return found || own(bo);
}

// --- timers ------------------------------------------------------------------------------

export const TIMER_KINDS = [ 'timeDuration', 'timeDate', 'timeCycle' ];

export function timerDefinition(bo) {
  return (bo.get('eventDefinitions') || []).find(function(definition) {
    return is(definition, 'bpmn:TimerEventDefinition');
  });
}

/** [kind, expression] of a timer event definition, or [null, ''] when it has none. */
export function timerExpression(definition) {
  for (const kind of TIMER_KINDS) {
    const value = definition && definition.get(kind);
    if (value) {
      return [ kind, value.get('body') || '' ];
    }
  }
  return [ null, '' ];
}

export function messageDefinition(bo) {
  return (bo.get('eventDefinitions') || []).find(function(definition) {
    return is(definition, 'bpmn:MessageEventDefinition');
  });
}
