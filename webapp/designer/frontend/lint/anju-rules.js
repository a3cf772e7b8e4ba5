/* Our bpmnlint rules (plugin "anju"): what the engine refuses at deploy, checked in the browser
 * as the analyst draws. The deploy's own check (engine/lint.py, via POST /api/designer/lint/)
 * stays the authority: it also runs the sandbox on every script, the SpiffWorkflow parser and
 * the form lint. These rules only give earlier feedback, at the element.
 *
 * Rules are factories over a context: {translate, catalogue, files(), supported} where
 * supported lists the BPMN tags the engine runs (engine.lint.SUPPORTED_BPMN, from the page). */

import { is, isAny } from 'bpmn-js/lib/util/ModelUtil';

import {
  COMPLETE_HOOK, FORM, UI_FORM, hooksFor, operatorParameters, processIdOf, serviceOperator, spiffProperties,
  timerExpression
} from '../extensions.js';

const TOP_LEVEL_KINDS = [ 'bpmn:FlowElement', 'bpmn:EventDefinition', 'bpmn:RootElement', 'bpmn:Artifact',
  'bpmn:LoopCharacteristics', 'bpmn:LaneSet', 'bpmn:Lane' ];

function tagOf(type) {
  const local = type.split(':')[1] || type;
  return local.charAt(0).toLowerCase() + local.slice(1);
}

function rule(check) {
  return function factory() {
    return { check };
  };
}

// --- lanes -------------------------------------------------------------------------------

function processOf(node) {
  let current = node;
  while (current && !is(current, 'bpmn:Process')) {
    current = current.$parent;
  }
  return current;
}

function allLanes(laneSets, level, out) {
  (laneSets || []).forEach(function(set) {
    (set.lanes || []).forEach(function(lane) {
      out.push({ lane, level });
      if (lane.childLaneSet) {
        allLanes([ lane.childLaneSet ], level + 1, out);
      }
    });
  });
  return out;
}

function ownLane(node, lanes) {
  let best = null;
  lanes.forEach(function(entry) {
    if ((entry.lane.flowNodeRef || []).indexOf(node) !== -1 && (!best || entry.level > best.level)) {
      best = entry;
    }
  });
  return best ? (best.lane.name || '').trim() : '';
}

/** The lane SpiffWorkflow gives a node (see engine/lint.py _effective_lane). */
export function laneName(node) {
  const process = processOf(node);
  const lanes = process ? allLanes(process.laneSets, 0, []) : [];
  let found = '';
  let parent = node.$parent;
  while (parent && parent !== process) {
    if (is(parent, 'bpmn:SubProcess')) {
      const lane = ownLane(parent, lanes);
      if (lane) {
        found = lane;
      }
    }
    parent = parent.$parent;
  }
  return found || ownLane(node, lanes);
}

// --- timers --------------------------------------------------------------------------------

const UNQUOTED_ISO = /^(R\d*\/)?P(\d|T\d)|^\d{4}-\d{2}-\d{2}/;
const DURATION = /^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function validLiteral(kind, value) {
  if (kind === 'timeDuration') {
    return DURATION.test(value);
  }
  if (kind === 'timeDate') {
    return DATE_TIME.test(value) && !isNaN(Date.parse(value.length === 10 ? value + 'T00:00:00' : value));
  }
  const parts = value.split('/');
  if (parts.length < 2 || !/^R\d*$/.test(parts[0])) {
    return false;
  }
  return parts.slice(1).some(function(part) {
    return DURATION.test(part);
  }) && parts.slice(1).every(function(part) {
    return DURATION.test(part) || DATE_TIME.test(part);
  });
}

/** A problem with a timer expression (a Python expression: literals are quoted), or ''. */
export function timerProblem(kind, text, translate) {
  const expression = (text || '').trim();
  if (!kind || !expression) {
    return translate('The timer needs an expression (e.g. "PT24H" with the quotes, or a variable).');
  }
  if (UNQUOTED_ISO.test(expression)) {
    return translate('Timer {value} must be quoted: write "{value}" (expressions are Python).', { value: expression });
  }
  const quoted = expression.length >= 2 && expression[0] === expression[expression.length - 1] &&
    (expression[0] === '"' || expression[0] === "'");
  if (quoted && !validLiteral(kind, expression.slice(1, -1))) {
    return translate('Timer {value} is not valid ISO 8601.', { value: expression });
  }
  return '';
}

// --- the rules ---------------------------------------------------------------------------

export function anjuRules(context) {
  const t = context.translate;
  const supported = new Set(context.supported || []);

  const supportedElement = rule(function(node, reporter) {
    if (!node.$type || node.$type.indexOf('bpmn:') !== 0 || !supported.size) {
      return;
    }
    if (!isAny(node, TOP_LEVEL_KINDS)) {
      return;
    }
    const tag = tagOf(node.$type);
    if (!supported.has(tag)) {
      reporter.report(node.id, t('The engine does not run {tag} elements; use another element.', { tag: 'bpmn:' + tag }));
    }
  });

  const userTaskLane = rule(function(node, reporter) {
    if (is(node, 'bpmn:UserTask') && !laneName(node)) {
      reporter.report(node.id, t('User task is in no named lane (the lane is its candidate group).'));
    }
  });

  const forms = rule(function(node, reporter) {
    if (!isAny(node, [ 'bpmn:UserTask', 'bpmn:StartEvent' ])) {
      return;
    }
    const props = spiffProperties(node);
    const files = context.files();
    const schema = props[FORM];
    if (!schema) {
      if (is(node, 'bpmn:UserTask')) {
        reporter.report(node.id, t('User task has no form: choose a form file in the Anju properties.'));
      }
      return;
    }
    if (files.indexOf(schema) === -1) {
      reporter.report(node.id, t("Form file {name} is not one of this flow's files.", { name: schema }));
    }
    const ui = props[UI_FORM];
    if (ui && files.indexOf(ui) === -1) {
      reporter.report(node.id, t("Form file {name} is not one of this flow's files.", { name: ui }));
    }
  });

  const hooks = rule(function(node, reporter) {
    if (!isAny(node, [ 'bpmn:UserTask', 'bpmn:StartEvent' ])) {
      return;
    }
    const hook = spiffProperties(node)[COMPLETE_HOOK];
    if (hook === undefined) {
      return;
    }
    const found = (context.catalogue.hooks || []).find(function(h) {
      return h.name === hook;
    });
    const flow = processIdOf(node);
    if (!found) {
      reporter.report(node.id, t('Unknown completion hook {name}.', { name: hook }));
    } else if (hooksFor(context.catalogue, flow).indexOf(found) === -1) {
      reporter.report(node.id, t('Completion hook {name} belongs to {flows}, not to this flow ({flow}).',
        { name: hook, flows: found.flows.join(', '), flow }));
    }
  });

  const timers = rule(function(node, reporter) {
    if (!is(node, 'bpmn:TimerEventDefinition')) {
      return;
    }
    const [ kind, text ] = timerExpression(node);
    const problem = timerProblem(kind, text, t);
    if (problem) {
      reporter.report(node.$parent ? node.$parent.id : node.id, problem);
    }
  });

  const services = rule(function(node, reporter) {
    if (!is(node, 'bpmn:ServiceTask')) {
      return;
    }
    const operator = serviceOperator(node);
    if (!operator || !operator.get('id')) {
      reporter.report(node.id, t('Service task has no operator: choose one in the Anju properties.'));
      return;
    }
    const name = operator.get('id');
    const found = (context.catalogue.operators || []).find(function(op) {
      return op.name === name;
    });
    if (!found) {
      reporter.report(node.id, t('Unknown service operator {name}.', { name }));
      return;
    }
    const given = operatorParameters(operator).map(function(p) {
      return p.get('id');
    });
    found.params.forEach(function(param) {
      if (param.required && given.indexOf(param.name) === -1) {
        reporter.report(node.id, t('{operator} needs parameter {name}.', { operator: name, name: param.name }));
      }
    });
    given.forEach(function(id) {
      if (!found.params.some((param) => param.name === id)) {
        reporter.report(node.id, t('{operator} takes no parameter {name}.', { operator: name, name: id }));
      }
    });
  });

  return {
    'supported-element': supportedElement,
    'user-task-lane': userTaskLane,
    'form-file': forms,
    'complete-hook': hooks,
    'timer-expression': timers,
    'service-operator': services
  };
}
