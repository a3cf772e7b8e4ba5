/* The bpmnlint configuration bundled for the browser ({config, resolver}, the shape
 * bpmn-js-bpmnlint's `linting: { bpmnlint }` takes): bpmnlint's recommended rules, imported one
 * by one so the bundler includes them, plus our "anju" plugin (anju-rules.js).
 *
 * Turned down from bpmnlint:recommended, because our engine runs these fine and the shipped flows
 * (processes/) would otherwise be flagged for nothing:
 *   no-inclusive-gateway  off   SpiffWorkflow runs inclusive gateways; sales.bpmn uses them
 *                               (按揭 and 公积金 together).
 *   superfluous-label     off   we label unconditional flows to explain them on the diagram
 *                               (complaint.bpmn "重新打开,退回原部门").
 *   fake-join             off   a task with several incoming flows is an exclusive merge in
 *                               SpiffWorkflow (movein_defect.bpmn sends 复验 back to 整改).
 *   label-required        warn  names are what employees see, but unnamed events inside embedded
 *                               subprocesses and unnamed joins run fine (sales.bpmn's reminders).
 * Everything else stays as recommended: errors block the deploy button, warnings do not.
 */

import adHocSubProcess from 'bpmnlint/rules/ad-hoc-sub-process';
import conditionalFlows from 'bpmnlint/rules/conditional-flows';
import endEventRequired from 'bpmnlint/rules/end-event-required';
import eventBasedGateway from 'bpmnlint/rules/event-based-gateway';
import eventSubProcessTypedStartEvent from 'bpmnlint/rules/event-sub-process-typed-start-event';
import fakeJoin from 'bpmnlint/rules/fake-join';
import globalRule from 'bpmnlint/rules/global';
import labelRequired from 'bpmnlint/rules/label-required';
import linkEvent from 'bpmnlint/rules/link-event';
import noBpmndi from 'bpmnlint/rules/no-bpmndi';
import noComplexGateway from 'bpmnlint/rules/no-complex-gateway';
import noDisconnected from 'bpmnlint/rules/no-disconnected';
import noDuplicateSequenceFlows from 'bpmnlint/rules/no-duplicate-sequence-flows';
import noGatewayJoinFork from 'bpmnlint/rules/no-gateway-join-fork';
import noImplicitEnd from 'bpmnlint/rules/no-implicit-end';
import noImplicitSplit from 'bpmnlint/rules/no-implicit-split';
import noImplicitStart from 'bpmnlint/rules/no-implicit-start';
import noInclusiveGateway from 'bpmnlint/rules/no-inclusive-gateway';
import noOverlappingElements from 'bpmnlint/rules/no-overlapping-elements';
import singleBlankStartEvent from 'bpmnlint/rules/single-blank-start-event';
import singleEventDefinition from 'bpmnlint/rules/single-event-definition';
import startEventRequired from 'bpmnlint/rules/start-event-required';
import subProcessBlankStartEvent from 'bpmnlint/rules/sub-process-blank-start-event';
import superfluousGateway from 'bpmnlint/rules/superfluous-gateway';
import superfluousLabel from 'bpmnlint/rules/superfluous-label';
import superfluousTermination from 'bpmnlint/rules/superfluous-termination';

import { anjuRules } from './anju-rules.js';

const RECOMMENDED = {
  'ad-hoc-sub-process': [ adHocSubProcess, 'error' ],
  'conditional-flows': [ conditionalFlows, 'error' ],
  'end-event-required': [ endEventRequired, 'error' ],
  'event-based-gateway': [ eventBasedGateway, 'error' ],
  'event-sub-process-typed-start-event': [ eventSubProcessTypedStartEvent, 'error' ],
  'fake-join': [ fakeJoin, 'off' ],
  'global': [ globalRule, 'warn' ],
  'label-required': [ labelRequired, 'warn' ],
  'link-event': [ linkEvent, 'error' ],
  'no-bpmndi': [ noBpmndi, 'error' ],
  'no-complex-gateway': [ noComplexGateway, 'error' ],
  'no-disconnected': [ noDisconnected, 'error' ],
  'no-duplicate-sequence-flows': [ noDuplicateSequenceFlows, 'error' ],
  'no-gateway-join-fork': [ noGatewayJoinFork, 'error' ],
  'no-implicit-split': [ noImplicitSplit, 'error' ],
  'no-implicit-end': [ noImplicitEnd, 'error' ],
  'no-implicit-start': [ noImplicitStart, 'error' ],
  'no-inclusive-gateway': [ noInclusiveGateway, 'off' ],
  'no-overlapping-elements': [ noOverlappingElements, 'warn' ],
  'single-blank-start-event': [ singleBlankStartEvent, 'error' ],
  'single-event-definition': [ singleEventDefinition, 'error' ],
  'start-event-required': [ startEventRequired, 'error' ],
  'sub-process-blank-start-event': [ subProcessBlankStartEvent, 'error' ],
  'superfluous-gateway': [ superfluousGateway, 'warn' ],
  'superfluous-label': [ superfluousLabel, 'off' ],
  'superfluous-termination': [ superfluousTermination, 'warn' ]
};

/** {config, resolver} for bpmn-js-bpmnlint; context as for anjuRules. */
export function lintConfig(context) {
  const cache = {};
  const rules = {};
  Object.keys(RECOMMENDED).forEach(function(name) {
    cache['bpmnlint/' + name] = RECOMMENDED[name][0];
    rules[name] = RECOMMENDED[name][1];
  });
  const ours = anjuRules(context);
  Object.keys(ours).forEach(function(name) {
    cache['bpmnlint-plugin-anju/' + name] = ours[name];
    rules['anju/' + name] = 'error';
  });
  const resolver = {
    resolveRule: function(pkg, ruleName) {
      const found = cache[pkg + '/' + ruleName];
      if (!found) {
        throw new Error('cannot resolve rule <' + pkg + '/' + ruleName + '>');
      }
      return found;
    },
    resolveConfig: function(pkg, configName) {
      throw new Error('cannot resolve config <' + configName + '> in <' + pkg + '>');
    }
  };
  return { config: { rules }, resolver };
}
