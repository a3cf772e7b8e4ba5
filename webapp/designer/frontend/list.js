/* The designer's home page (/designer/): deployed flows (GET /api/designer/flows/) and my drafts
 * (GET /api/designer/drafts/); open a flow (POST /api/designer/drafts/ {key[, version]}), start a
 * new one (key + name), continue or delete a draft. Strings and URLs: #designer-home-config. */

import { createApi, errorText, readConfig } from './api.js';
import { createTranslator } from './i18n.js';

const config = readConfig('designer-home-config');
const t = createTranslator(config.strings);
const api = createApi(config.csrf_token);
const urls = config.urls;

let drafts = [];

function $(selector) {
  return document.querySelector(selector);
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text == null ? '' : String(text);
  if (className) {
    td.className = className;
  }
  row.appendChild(td);
  return td;
}

function editorUrl(id) {
  return urls.editor.replace('/0/', '/' + id + '/');
}

function when(iso) {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return isNaN(date) ? iso : date.toLocaleString(config.locale, { dateStyle: 'short', timeStyle: 'short' });
}

function showError(text) {
  const node = $('#designer-home-status');
  node.hidden = !text;
  node.textContent = text || '';
}

async function open(body) {
  showError('');
  const result = await api.post(urls.drafts, body);
  if (!result.ok) {
    showError(t('The flow could not be opened: {message}', { message: errorText(result) || result.status }));
    return null;
  }
  window.location.assign(editorUrl(result.body.id));
  return result.body;
}

function draftOf(key) {
  return drafts.find((draft) => draft.key === key);
}

async function fillVersions(menu, key) {
  if (menu.getAttribute('data-loaded')) {
    return;
  }
  menu.setAttribute('data-loaded', 'true');
  const result = await api.get(urls.versions.replace('__key__', encodeURIComponent(key)));
  menu.innerHTML = '';
  ((result.ok && result.body.versions) || []).forEach(function(version) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'dropdown-item small';
    button.setAttribute('data-version', String(version.version));
    button.textContent = t('version {version}', { version: version.version }) + (version.note ? ' · ' + version.note : '') +
      ' · ' + when(version.deployed_at);
    button.addEventListener('click', function() {
      const draft = draftOf(key);
      if (draft && !window.confirm(t('Your draft of {key} will be replaced by version {version}. Go on?', { key, version: version.version }))) {
        return;
      }
      open({ key, version: version.id });
    });
    item.appendChild(button);
    menu.appendChild(item);
  });
}

function renderFlows(flows) {
  const body = $('#flows-table tbody');
  body.innerHTML = '';
  $('#flows-empty').hidden = !!flows.length;
  flows.forEach(function(flow) {
    const row = document.createElement('tr');
    row.setAttribute('data-key', flow.key);
    cell(row, flow.name, 'fw-semibold');
    cell(row, flow.key, 'font-monospace small');
    cell(row, 'v' + flow.latest);
    cell(row, flow.versions);
    cell(row, flow.running);
    const actions = cell(row, '', 'text-end text-nowrap');
    const openButton = document.createElement('button');
    openButton.type = 'button';
    openButton.className = 'btn btn-sm btn-primary me-1 open-flow';
    openButton.setAttribute('data-key', flow.key);
    openButton.textContent = draftOf(flow.key) ? t('Continue draft') : t('Open');
    openButton.addEventListener('click', () => open({ key: flow.key }));
    actions.appendChild(openButton);
    const group = document.createElement('div');
    group.className = 'btn-group';
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'btn btn-sm btn-outline-secondary dropdown-toggle';
    toggle.setAttribute('data-bs-toggle', 'dropdown');
    toggle.setAttribute('aria-expanded', 'false');
    toggle.textContent = t('From a version');
    const menu = document.createElement('ul');
    menu.className = 'dropdown-menu dropdown-menu-end';
    const loading = document.createElement('li');
    loading.innerHTML = '<span class="dropdown-item-text small text-body-secondary"></span>';
    loading.firstChild.textContent = t('Loading…');
    menu.appendChild(loading);
    toggle.addEventListener('show.bs.dropdown', () => fillVersions(menu, flow.key));
    group.append(toggle, menu);
    actions.appendChild(group);
    const versionsLink = document.createElement('a');
    versionsLink.className = 'btn btn-sm btn-outline-secondary ms-1';
    versionsLink.href = urls.flow_versions.replace('__key__', encodeURIComponent(flow.key));
    versionsLink.textContent = t('Versions and changes');
    actions.appendChild(versionsLink);
    body.appendChild(row);
  });
}

function renderDrafts() {
  const body = $('#drafts-table tbody');
  body.innerHTML = '';
  $('#drafts-empty').hidden = !!drafts.length;
  drafts.forEach(function(draft) {
    const row = document.createElement('tr');
    row.setAttribute('data-key', draft.key);
    row.setAttribute('data-draft', String(draft.id));
    const name = cell(row, '');
    const link = document.createElement('a');
    link.href = editorUrl(draft.id);
    link.className = 'fw-semibold';
    link.textContent = draft.name || draft.key;
    name.appendChild(link);
    cell(row, draft.key, 'font-monospace small');
    cell(row, draft.base_version ? t('version {version}', { version: draft.base_version.version }) : t('new flow'));
    cell(row, when(draft.updated_at));
    const count = (draft.problems || []).length;
    const problems = cell(row, '');
    const badge = document.createElement('span');
    badge.className = 'badge ' + (count ? 'text-bg-warning' : 'text-bg-success');
    badge.textContent = count ? t('{count} problems', { count }) : t('No problems.');
    problems.appendChild(badge);
    const actions = cell(row, '', 'text-end text-nowrap');
    const edit = document.createElement('a');
    edit.className = 'btn btn-sm btn-primary me-1';
    edit.href = editorUrl(draft.id);
    edit.textContent = t('Edit');
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'btn btn-sm btn-outline-danger delete-draft';
    remove.textContent = t('Delete');
    remove.addEventListener('click', async function() {
      if (!window.confirm(t('Delete your draft of {key}? Deployed versions stay.', { key: draft.key }))) {
        return;
      }
      const result = await api.del(urls.drafts + draft.id + '/');
      if (!result.ok) {
        showError(errorText(result) || String(result.status));
        return;
      }
      load();
    });
    actions.append(edit, remove);
    body.appendChild(row);
  });
}

async function load() {
  const [ flows, mine ] = await Promise.all([ api.get(urls.flows), api.get(urls.drafts) ]);
  if (!flows.ok || !mine.ok) {
    showError(t('The list could not be loaded: {message}', { message: errorText(flows.ok ? mine : flows) }));
  }
  drafts = mine.ok ? mine.body : [];
  renderDrafts();
  renderFlows(flows.ok ? flows.body.flows || [] : []);
  $('#designer-home').setAttribute('data-ready', 'true');
}

$('#new-flow-form').addEventListener('submit', async function(event) {
  event.preventDefault();
  const key = $('#new-flow-key').value.trim();
  const name = $('#new-flow-name').value.trim();
  const error = $('#new-flow-error');
  error.textContent = '';
  if (!key || !name) {
    error.textContent = t('Give the new flow a key and a Chinese name.');
    return;
  }
  const result = await api.post(urls.drafts, { key, name });
  if (!result.ok) {
    error.textContent = errorText(result) || String(result.status);
    return;
  }
  window.location.assign(editorUrl(result.body.id));
});

load();
