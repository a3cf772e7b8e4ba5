/* The draft's other files (forms, UI schemas, DMN): list, add, rename, delete, and the form
 * editor: the JSON in a textarea, a live preview drawn by the inbox's renderer
 * (POST /api/designer/form-preview/, debounced) and field templates for our domain fields.
 * Changes live in the page's state until the draft is saved. */

import { createModal } from './modal.js';

const PREVIEW_DELAY = 400;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const NEW_SUFFIXES = [ '.schema.json', '.uischema.json' ]; // new files: forms and UI schemas
const SUFFIXES = [ '.schema.json', '.uischema.json', '.json', '.dmn' ]; // renaming keeps the kind

function starter(name, t) {
  if (name.endsWith('.uischema.json')) {
    return '{\n  "ui:order": ["*"]\n}\n';
  }
  return JSON.stringify({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: t('New form'),
    type: 'object',
    properties: {},
    required: []
  }, null, 2) + '\n';
}

function parse(text) {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: error.message };
  }
}

export function createFiles(options) {
  const { state, api, urls, translate: t, templates, onChange, onRename, element } = options;
  const root = element;
  const listNode = root.querySelector('#files-list');
  const newName = root.querySelector('#new-file-name');
  const newButton = root.querySelector('#new-file-create');
  const newError = root.querySelector('#new-file-error');

  const modalNode = document.getElementById('form-editor');
  const modal = createModal(modalNode);
  const title = modalNode.querySelector('#form-editor-title');
  const textarea = modalNode.querySelector('#form-json');
  const jsonError = modalNode.querySelector('#form-json-error');
  const previewBox = modalNode.querySelector('#form-preview');
  const previewProblems = modalNode.querySelector('#form-problems');
  const previewColumn = modalNode.querySelector('#form-preview-column');
  const templateRow = modalNode.querySelector('#field-templates');
  const templateSelect = modalNode.querySelector('#field-template');
  const keyInput = modalNode.querySelector('#field-key');
  const requiredInput = modalNode.querySelector('#field-required');
  const insertButton = modalNode.querySelector('#field-insert');
  const insertError = modalNode.querySelector('#field-error');
  const applyButton = modalNode.querySelector('#form-apply');

  let editing = null;
  let timer = null;
  let sequence = 0;

  templates.forEach(function(template) {
    const option = document.createElement('option');
    option.value = template.id;
    option.textContent = template.label;
    templateSelect.appendChild(option);
  });

  function templateById(id) {
    return templates.find((template) => template.id === id);
  }

  templateSelect.addEventListener('change', function() {
    const template = templateById(templateSelect.value);
    keyInput.value = template ? template.key : '';
  });
  if (templates.length) {
    keyInput.value = templates[0].key;
  }

  function names() {
    return Object.keys(state.files).filter((name) => name !== state.bpmnName).sort();
  }

  function render() {
    listNode.innerHTML = '';
    const files = names();
    if (!files.length) {
      const empty = document.createElement('li');
      empty.className = 'list-group-item small text-body-secondary';
      empty.textContent = t('No other files yet.');
      listNode.appendChild(empty);
    }
    files.forEach(function(name) {
      const item = document.createElement('li');
      item.className = 'list-group-item py-1 px-2 d-flex align-items-center gap-1 anju-file';
      item.setAttribute('data-file', name);
      const label = document.createElement('span');
      label.className = 'font-monospace small text-truncate me-auto anju-file-name';
      label.textContent = name;
      label.title = name;
      item.appendChild(label);
      [ [ 'edit', t('Edit'), 'btn-outline-primary' ], [ 'rename', t('Rename'), 'btn-outline-secondary' ],
        [ 'delete', t('Delete'), 'btn-outline-danger' ] ].forEach(function([ action, text, style ]) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'btn btn-sm py-0 px-1 ' + style;
        button.setAttribute('data-action', action);
        button.textContent = text;
        button.addEventListener('click', function() {
          if (action === 'edit') {
            open(name);
          } else if (action === 'rename') {
            startRename(item, name);
          } else if (window.confirm(t('Delete {name} from this draft?', { name }))) {
            delete state.files[name];
            render();
            onChange();
          }
        });
        item.appendChild(button);
      });
      listNode.appendChild(item);
    });
  }

  function kind(name) {
    return SUFFIXES.find((suffix) => name.endsWith(suffix)) || '';
  }

  function problemWithName(name, except) {
    const allowed = except ? [ kind(except) ] : NEW_SUFFIXES;
    if (!NAME.test(name) || allowed.indexOf(kind(name)) === -1) {
      return t('Use letters, digits, . _ - and end the name with {suffixes}.', { suffixes: allowed.join(' / ') });
    }
    if (name !== except && Object.prototype.hasOwnProperty.call(state.files, name)) {
      return t('{name} exists already.', { name });
    }
    return '';
  }

  function startRename(item, name) {
    item.innerHTML = '';
    const input = document.createElement('input');
    input.className = 'form-control form-control-sm font-monospace';
    input.value = name;
    input.setAttribute('aria-label', t('New name'));
    const ok = document.createElement('button');
    ok.type = 'button';
    ok.className = 'btn btn-sm btn-primary py-0';
    ok.textContent = t('OK');
    const error = document.createElement('div');
    error.className = 'invalid-feedback';
    const finish = function() {
      const target = input.value.trim();
      if (target === name) {
        render();
        return;
      }
      const problem = problemWithName(target, name);
      if (problem) {
        input.classList.add('is-invalid');
        error.textContent = problem;
        return;
      }
      state.files[target] = state.files[name];
      delete state.files[name];
      onRename(name, target);
      render();
      onChange();
    };
    ok.addEventListener('click', finish);
    input.addEventListener('keydown', function(event) {
      if (event.key === 'Enter') {
        finish();
      } else if (event.key === 'Escape') {
        render();
      }
    });
    const wrap = document.createElement('div');
    wrap.className = 'd-flex gap-1 w-100 flex-wrap';
    wrap.append(input, ok, error);
    item.appendChild(wrap);
    input.focus();
  }

  newButton.addEventListener('click', function() {
    let name = newName.value.trim();
    if (name && !name.endsWith('.json')) {
      name += '.schema.json';
    }
    const problem = name ? problemWithName(name) : t('Name the new file, e.g. review.schema.json.');
    if (problem) {
      newName.classList.add('is-invalid');
      newError.textContent = problem;
      return;
    }
    newName.classList.remove('is-invalid');
    newError.textContent = '';
    newName.value = '';
    state.files[name] = starter(name, t);
    render();
    onChange();
    open(name);
  });
  newName.addEventListener('keydown', function(event) {
    if (event.key === 'Enter') {
      event.preventDefault();
      newButton.click();
    }
  });

  // --- the editor ------------------------------------------------------------------------

  function isSchema(name) {
    return name.endsWith('.schema.json');
  }

  function isUiSchema(name) {
    return name.endsWith('.uischema.json');
  }

  function open(name) {
    editing = name;
    title.textContent = name;
    textarea.value = state.files[name] || '';
    const previewable = isSchema(name) || isUiSchema(name);
    previewColumn.hidden = !previewable;
    templateRow.hidden = !isSchema(name);
    insertError.textContent = '';
    jsonError.textContent = '';
    previewBox.innerHTML = '';
    previewProblems.innerHTML = '';
    modalNode.setAttribute('data-file', name);
    modal.show();
    schedulePreview(0);
  }

  function schedulePreview(delay) {
    clearTimeout(timer);
    timer = setTimeout(preview, delay === undefined ? PREVIEW_DELAY : delay);
  }

  function showProblems(problems) {
    previewProblems.innerHTML = '';
    problems.forEach(function(problem) {
      const item = document.createElement('li');
      item.textContent = problem;
      previewProblems.appendChild(item);
    });
  }

  async function preview() {
    if (!editing || !editing.endsWith('.json')) {
      return;
    }
    const parsed = parse(textarea.value);
    jsonError.textContent = parsed.error ? t('Not valid JSON: {error}', { error: parsed.error }) : '';
    textarea.classList.toggle('is-invalid', !!parsed.error);
    if (parsed.error || !(isSchema(editing) || isUiSchema(editing))) {
      return;
    }
    let schema = parsed.value;
    let ui = null;
    if (isUiSchema(editing)) {
      const pair = editing.replace(/\.uischema\.json$/, '.schema.json');
      const found = parse(state.files[pair] || '');
      if (found.error) {
        showProblems([ t('The UI schema is previewed with {name}, which is missing or not valid JSON.', { name: pair }) ]);
        return;
      }
      ui = parsed.value;
      schema = found.value;
    } else {
      const pair = editing.replace(/\.schema\.json$/, '.uischema.json');
      const found = state.files[pair] ? parse(state.files[pair]) : null;
      ui = found && !found.error ? found.value : null;
    }
    if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
      showProblems([ t('A form schema is a JSON object.') ]);
      return;
    }
    const mine = ++sequence;
    previewBox.setAttribute('aria-busy', 'true');
    const result = await api.post(urls.form_preview, ui ? { schema, ui_schema: ui } : { schema });
    if (mine !== sequence) {
      return;
    }
    previewBox.removeAttribute('aria-busy');
    if (!result.ok) {
      showProblems([ (result.body && result.body.detail) || t('The preview could not be drawn.') ]);
      return;
    }
    previewBox.innerHTML = result.body.html || '';
    previewBox.setAttribute('data-rendered', String(mine));
    showProblems(result.body.problems || []);
  }

  textarea.addEventListener('input', function() {
    schedulePreview();
  });
  textarea.addEventListener('keydown', function(event) {
    if (event.key === 'Tab' && !event.shiftKey && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      const start = textarea.selectionStart;
      textarea.setRangeText('  ', start, textarea.selectionEnd, 'end');
      schedulePreview();
    }
  });
  previewBox.addEventListener('submit', function(event) {
    event.preventDefault();
  });

  insertButton.addEventListener('click', function() {
    insertError.textContent = '';
    const template = templateById(templateSelect.value);
    const key = keyInput.value.trim();
    if (!template) {
      return;
    }
    if (!/^[a-z_][a-z0-9_]*$/.test(key)) {
      insertError.textContent = t('A field key is snake_case English, e.g. mobile.');
      return;
    }
    const parsed = parse(textarea.value);
    if (parsed.error || !parsed.value || typeof parsed.value !== 'object') {
      insertError.textContent = t('Fix the JSON first.');
      return;
    }
    const schema = parsed.value;
    schema.properties = schema.properties && typeof schema.properties === 'object' ? schema.properties : {};
    if (Object.prototype.hasOwnProperty.call(schema.properties, key)) {
      insertError.textContent = t('A field {key} exists already.', { key });
      return;
    }
    schema.properties[key] = JSON.parse(JSON.stringify(template.schema));
    if (requiredInput.checked) {
      schema.required = Array.isArray(schema.required) ? schema.required : [];
      if (schema.required.indexOf(key) === -1) {
        schema.required.push(key);
      }
    }
    textarea.value = JSON.stringify(schema, null, 2) + '\n';
    schedulePreview(0);
  });

  applyButton.addEventListener('click', function() {
    if (!editing) {
      return;
    }
    if (editing.endsWith('.json') && parse(textarea.value).error) {
      jsonError.textContent = t('Not valid JSON: fix it before applying.');
      return;
    }
    state.files[editing] = textarea.value;
    editing = null;
    modal.hide();
    render();
    onChange();
  });

  modalNode.addEventListener('hidden.bs.modal', function() {
    editing = null;
    modalNode.removeAttribute('data-file');
  });

  render();
  return { render, open };
}
