/* The designer's editor page (/designer/drafts/<id>/): the bpmn-js modeler with its properties
 * panel and our "Anju" group, bpmnlint (recommended + ours) live on the diagram, the deploy's own
 * check on save / check / deploy, the files panel with the form editor, export as .bpmn and SVG.
 *
 * Everything the page knows comes from the json_script block #designer-config (the view): the
 * draft, the API's URLs, the CSRF token, the translated strings and the field templates.
 * window.anjuDesigner exposes the modeler and the actions for the browser tests. */

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import './designer.css';

import Modeler from 'bpmn-js/lib/Modeler';
import Viewer from 'bpmn-js/lib/Viewer';
import { is } from 'bpmn-js/lib/util/ModelUtil';
import lintModule from 'bpmn-js-bpmnlint';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import { createApi, download, errorText, readConfig } from './api.js';
import { FORM, UI_FORM, execute, setSpiffPropertyCommands, spiffProperties } from './extensions.js';
import { createFiles } from './files.js';
import { createModal } from './modal.js';
import { createTranslator, translateModule } from './i18n.js';
import { lintConfig } from './lint/index.js';
import { timerProblem } from './lint/anju-rules.js';
import { createProblems } from './problems.js';
import anjuPropertiesModule from './properties/index.js';
import spiffworkflow from './spiffworkflow.json';

const config = readConfig('designer-config');
const t = createTranslator(config.strings);
const api = createApi(config.csrf_token);
const urls = config.urls;

const state = {
  draft: config.draft,
  files: Object.assign({}, config.draft.files),
  bpmnName: config.bpmn_name,
  dirty: false,
  busy: false
};

function $(selector) {
  return document.querySelector(selector);
}

// --- status line -----------------------------------------------------------------------------

function status(kind, text) {
  const node = $('#designer-status');
  node.className = 'alert alert-' + kind + ' py-1 px-2 mb-2 small';
  node.textContent = text;
  node.hidden = !text;
  node.setAttribute('data-kind', kind);
}

function setDirty(dirty) {
  state.dirty = dirty;
  $('#dirty-badge').hidden = !dirty;
}

function setBusy(busy) {
  state.busy = busy;
  document.querySelectorAll('[data-designer-action]').forEach(function(button) {
    button.disabled = busy;
  });
  $('#designer').setAttribute('aria-busy', busy ? 'true' : 'false');
}

// --- the modeler -------------------------------------------------------------------------------

let modeler;
let problems;

async function currentXml() {
  const { xml } = await modeler.saveXML({ format: true });
  return xml;
}

async function currentFiles() {
  return Object.assign({}, state.files, { [state.bpmnName]: await currentXml() });
}

async function checkCode(code, mode) {
  const result = await api.post(urls.check_script, { code, mode });
  if (!result.ok) {
    return { error: errorText(result) || t('The check failed ({status}).', { status: result.status }) };
  }
  return result.body;
}

/** Give form file renames to the diagram: every element naming the old file names the new one. */
function renameReferences(oldName, newName) {
  const services = { bpmnFactory: modeler.get('bpmnFactory'), commandStack: modeler.get('commandStack') };
  const commands = [];
  modeler.get('elementRegistry').forEach(function(element) {
    if (!is(element, 'bpmn:FlowNode') || element.labelTarget) {
      return;
    }
    const props = spiffProperties(element.businessObject);
    [ FORM, UI_FORM ].forEach(function(name) {
      if (props[name] === oldName) {
        commands.push.apply(commands, setSpiffPropertyCommands(services, element, name, newName));
      }
    });
  });
  execute(services, commands);
}

function refreshPanels() {
  modeler.get('eventBus').fire('propertiesPanel.providersChanged');
  modeler.get('linting').update();
}

// --- undo and redo --------------------------------------------------------------------------------

/** Is the key event one for a field's own editing (a text input, the label being edited)? */
function inField(target) {
  return !!(target && target.closest &&
    target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]'));
}

/** Undo / redo through the modeler's command stack (every diagram and property edit is one
 * command): the toolbar's buttons and Ctrl+Z, Ctrl+Y, Ctrl+Shift+Z (Cmd on a Mac). bpmn-js's
 * keyboard handles the keys while the canvas has the focus (diagram-js 15 binds it to the canvas,
 * not to the document) and the properties panel binds them in its own fields; this handles them
 * anywhere else on the page but in another field, whose own undo they are, and under a dialog. */
function bindUndo() {
  const commandStack = modeler.get('commandStack');
  const undo = $('#btn-undo');
  const redo = $('#btn-redo');
  function refresh() {
    undo.disabled = !commandStack.canUndo();
    redo.disabled = !commandStack.canRedo();
  }
  function run(action) {
    if (action === 'undo' ? commandStack.canUndo() : commandStack.canRedo()) {
      commandStack[action]();
    }
    modeler.get('canvas').focus();
  }
  undo.addEventListener('click', () => run('undo'));
  redo.addEventListener('click', () => run('redo'));
  modeler.get('eventBus').on('commandStack.changed', refresh);
  refresh();
  document.addEventListener('keydown', function(event) {
    if (event.defaultPrevented || !(event.ctrlKey || event.metaKey) || event.altKey || inField(event.target) ||
        document.querySelector('.modal.show')) {
      return;
    }
    const key = event.key.toLowerCase();
    if (key === 'z' && !event.shiftKey) {
      event.preventDefault();
      run('undo');
    } else if (key === 'y' || (key === 'z' && event.shiftKey)) {
      event.preventDefault();
      run('redo');
    }
  });
}

// --- save, check, deploy -------------------------------------------------------------------------

function afterServerCheck(found, verb) {
  problems.setServer(found);
  const errors = problems.errors().length;
  if (!found.length && !errors) {
    status('success', verb === 'save' ? t('Saved; no problems.') : t('No problems: this draft deploys.'));
  } else {
    status('warning', (verb === 'save' ? t('Saved.') + ' ' : '') +
      t('{count} problems: see the list under the diagram.', { count: found.length + problems.all().filter((p) => p.source !== 'server').length }));
  }
}

async function save() {
  setBusy(true);
  try {
    const files = await currentFiles();
    const result = await api.put(urls.draft, { files });
    if (!result.ok) {
      status('danger', t('Not saved: {message}', { message: errorText(result) || result.status }));
      return null;
    }
    state.draft = result.body;
    state.files = Object.assign({}, result.body.files);
    setDirty(false);
    problems.setLintRaw(await modeler.get('linting').lint());
    afterServerCheck(result.body.problems || [], 'save');
    return result.body;
  } finally {
    setBusy(false);
  }
}

async function check() {
  setBusy(true);
  try {
    const result = await api.post(urls.lint, { files: await currentFiles() });
    if (!result.ok) {
      status('danger', t('The check failed: {message}', { message: errorText(result) || result.status }));
      return null;
    }
    problems.setLintRaw(await modeler.get('linting').lint());
    afterServerCheck(result.body.problems || [], 'check');
    return result.body.problems;
  } finally {
    setBusy(false);
  }
}

function summarize(list) {
  return list.slice(0, 3).map(function(p) {
    return (p.elementId ? p.elementId + ': ' : '') + p.message;
  }).join('; ');
}

async function deploy(note) {
  const message = $('#deploy-error');
  message.textContent = '';
  if (!note || !note.trim()) {
    message.textContent = t('Say what changed in this version.');
    $('#deploy-note').classList.add('is-invalid');
    return null;
  }
  $('#deploy-note').classList.remove('is-invalid');
  deployModal().hide();
  const saved = await save();
  if (!saved) {
    return null;
  }
  const errors = problems.errors();
  if (errors.length) {
    status('danger', t('Deploy refused: fix these {count} problems first.', { count: errors.length }) + ' ' + summarize(errors));
    $('#designer-status').setAttribute('data-refused', 'true');
    return null;
  }
  setBusy(true);
  try {
    const result = await api.post(urls.deploy, { note: note.trim() });
    if (!result.ok) {
      if (result.body && result.body.problems) {
        problems.setServer(result.body.problems);
      }
      status('danger', t('Deploy refused: {message}', { message: errorText(result) || result.status }));
      $('#designer-status').setAttribute('data-refused', 'true');
      return null;
    }
    const version = result.body;
    const outcome = $('#deploy-result');
    outcome.setAttribute('data-version-id', String(version.id));
    outcome.setAttribute('data-version', String(version.version));
    outcome.setAttribute('data-created', String(version.created));
    $('#base-version').textContent = t('version {version}', { version: version.version });
    $('#deploy-note').value = '';
    $('#designer-status').removeAttribute('data-refused');
    status('success', version.created
      ? t('Deployed as version {version}. New work starts on it; running instances stay on their version.', { version: version.version })
      : t('Nothing changed since version {version}: it was not deployed again.', { version: version.version }));
    versionsLoaded = false;
    return version;
  } finally {
    setBusy(false);
  }
}

let deployModalInstance = null;
function deployModal() {
  if (!deployModalInstance) {
    deployModalInstance = createModal($('#deploy-dialog'));
  }
  return deployModalInstance;
}

// --- export -------------------------------------------------------------------------------------

async function svgOf(xml) {
  const holder = document.createElement('div');
  holder.className = 'anju-offscreen';
  document.body.appendChild(holder);
  const viewer = new Viewer({ container: holder, moddleExtensions: { spiffworkflow } });
  try {
    await viewer.importXML(xml);
    return (await viewer.saveSVG()).svg;
  } finally {
    viewer.destroy();
    holder.remove();
  }
}

async function exportCurrent(kind) {
  const stem = state.bpmnName.replace(/\.bpmn$/, '');
  if (kind === 'bpmn') {
    download(state.bpmnName, await currentXml(), 'application/xml');
  } else {
    const { svg } = await modeler.saveSVG();
    download(stem + '.svg', svg, 'image/svg+xml');
  }
}

async function exportVersion(version, kind) {
  const result = await api.get(urls.diagram.replace('/0/', '/' + version.id + '/'));
  if (!result.ok) {
    status('danger', t('Version {version} could not be loaded: {message}', { version: version.version, message: errorText(result) }));
    return;
  }
  const stem = state.draft.key + '-v' + version.version;
  if (kind === 'bpmn') {
    download(stem + '.bpmn', result.body.xml, 'application/xml');
  } else {
    download(stem + '.svg', await svgOf(result.body.xml), 'image/svg+xml');
  }
}

let versionsLoaded = false;
async function loadVersions() {
  if (versionsLoaded) {
    return;
  }
  const menu = $('#export-versions');
  menu.innerHTML = '';
  const result = await api.get(urls.versions);
  versionsLoaded = true;
  const versions = result.ok ? result.body.versions || [] : [];
  if (!versions.length) {
    const empty = document.createElement('li');
    empty.innerHTML = '<span class="dropdown-item-text small text-body-secondary"></span>';
    empty.firstChild.textContent = t('No deployed version yet.');
    menu.appendChild(empty);
    return;
  }
  versions.forEach(function(version) {
    const item = document.createElement('li');
    item.className = 'd-flex align-items-center px-3 gap-2 small';
    const label = document.createElement('span');
    label.className = 'me-auto';
    label.textContent = t('version {version}', { version: version.version }) + (version.note ? ' · ' + version.note : '');
    item.appendChild(label);
    [ 'bpmn', 'svg' ].forEach(function(kind) {
      const link = document.createElement('button');
      link.type = 'button';
      link.className = 'btn btn-link btn-sm p-0';
      link.textContent = '.' + kind;
      link.setAttribute('data-export-version', String(version.version));
      link.setAttribute('data-kind', kind);
      link.addEventListener('click', function() {
        exportVersion(version, kind);
      });
      item.appendChild(link);
    });
    menu.appendChild(item);
  });
}

// --- start ------------------------------------------------------------------------------------

async function start() {
  const root = $('#designer');
  const fetched = await api.get(urls.catalogue);
  const catalogue = fetched.ok ? fetched.body : { operators: [], hooks: [], options: [], lanes: [], sla_policies: [] };
  if (!fetched.ok) {
    status('warning', t('The catalogue could not be loaded: {message}', { message: errorText(fetched) }));
  }
  const context = {
    translate: t,
    catalogue,
    urls,
    files: () => Object.keys(state.files),
    processKey: () => state.draft.key,
    checkCode,
    timerProblem: (kind, text) => timerProblem(kind, text, t)
  };
  modeler = new Modeler({
    container: '#canvas',
    keyboard: { bind: true }, // diagram-js 15: binds to the canvas, which takes the focus on a click
    propertiesPanel: { parent: '#properties-panel' },
    linting: {
      active: true,
      bpmnlint: lintConfig({ translate: t, catalogue, files: context.files, supported: config.supported_bpmn })
    },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      anjuPropertiesModule,
      lintModule,
      translateModule(t),
      { anjuContext: [ 'value', context ] }
    ],
    moddleExtensions: { spiffworkflow }
  });
  problems = createProblems({
    modeler,
    list: $('#problems-list'),
    summary: $('#problems-summary'),
    translate: t,
    onOpenFile: (name) => files.open(name)
  });
  const files = createFiles({
    state, api, urls, translate: t, templates: config.field_templates || [], element: $('#files-panel'),
    onChange: function() {
      setDirty(true);
      refreshPanels();
    },
    onRename: renameReferences
  });

  const eventBus = modeler.get('eventBus');
  eventBus.on('linting.completed', function(event) {
    problems.setLint(event.issues);
  });
  eventBus.on('commandStack.changed', function() {
    setDirty(true);
  });

  try {
    const result = await modeler.importXML(state.files[state.bpmnName] || '');
    if (result.warnings && result.warnings.length && window.console) {
      window.console.warn(result.warnings);
    }
  } catch (error) {
    root.setAttribute('data-ready', 'error');
    status('danger', t('The diagram could not be opened: {message}', { message: error.message }));
    return;
  }
  modeler.get('canvas').zoom('fit-viewport', 'auto');
  setDirty(false);
  bindUndo();
  problems.setServer(state.draft.problems || []);

  $('#btn-save').addEventListener('click', save);
  $('#btn-check').addEventListener('click', check);
  $('#btn-deploy').addEventListener('click', function() {
    $('#deploy-error').textContent = '';
    deployModal().show();
  });
  $('#deploy-dialog').addEventListener('shown.bs.modal', function() {
    $('#deploy-note').focus();
  });
  $('#deploy-confirm').addEventListener('click', function() {
    deploy($('#deploy-note').value);
  });
  document.querySelectorAll('[data-export]').forEach(function(button) {
    button.addEventListener('click', function() {
      exportCurrent(button.getAttribute('data-export'));
    });
  });
  $('#btn-export').addEventListener('show.bs.dropdown', loadVersions);
  $('#btn-fit').addEventListener('click', function() {
    modeler.get('canvas').zoom('fit-viewport', 'auto');
  });
  document.addEventListener('keydown', function(event) {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
      event.preventDefault();
      if (!state.busy) {
        save();
      }
    }
  });
  window.addEventListener('beforeunload', function(event) {
    if (state.dirty) {
      event.preventDefault();
      event.returnValue = '';
    }
  });

  window.anjuDesigner = { modeler, state, save, check, deploy, problems, files, currentXml, exportVersion, svgOf };
  root.setAttribute('data-ready', 'true');
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
