/* The problems list under the diagram: the deploy check's problems (from the API: message, file,
 * element_id, line) and bpmnlint's (live, from bpmn-js-bpmnlint's linting.completed event).
 * Every problem with an element is marked on the diagram (a red outline and a badge; bpmnlint
 * draws its own badges too); clicking a problem selects its element. */

const MARKER = 'anju-problem';
const OVERLAY = 'anju-problem';

function escapeText(text) {
  const div = document.createElement('div');
  div.textContent = text == null ? '' : String(text);
  return div.innerHTML;
}

export function createProblems(options) {
  const { modeler, list, summary, translate: t, onOpenFile } = options;
  const canvas = modeler.get('canvas');
  const overlays = modeler.get('overlays');
  const registry = modeler.get('elementRegistry');
  const selection = modeler.get('selection');
  let server = [];
  let lint = [];
  let marked = [];

  function all() {
    const ours = server.map(function(p) {
      return {
        source: 'server', severity: 'error', message: p.message || '', elementId: p.element_id || '',
        file: p.file || '', line: p.line || null
      };
    });
    return ours.concat(lint);
  }

  function clearMarks() {
    overlays.remove({ type: OVERLAY });
    marked.forEach(function(id) {
      if (registry.get(id)) {
        canvas.removeMarker(id, MARKER);
      }
    });
    marked = [];
  }

  function mark(problems) {
    clearMarks();
    const byElement = {};
    problems.forEach(function(p) {
      if (p.source === 'server' && p.elementId && registry.get(p.elementId)) {
        (byElement[p.elementId] = byElement[p.elementId] || []).push(p.message);
      }
    });
    Object.keys(byElement).forEach(function(id) {
      const element = registry.get(id);
      if (!element.waypoints) {
        canvas.addMarker(id, MARKER);
        marked.push(id);
      }
      const badge = document.createElement('div');
      badge.className = 'anju-problem-badge';
      badge.setAttribute('data-element-id', id);
      badge.title = byElement[id].join('\n');
      badge.textContent = String(byElement[id].length);
      overlays.add(id, OVERLAY, { position: { top: -10, right: 10 }, html: badge }); // bpmnlint's sit top left
    });
  }

  function select(problem) {
    const element = problem.elementId && registry.get(problem.elementId);
    if (element) {
      selection.select(element);
      if (canvas.scrollToElement) {
        canvas.scrollToElement(element, { top: 120, bottom: 120, left: 200, right: 200 });
      }
      return;
    }
    if (problem.file && onOpenFile) {
      onOpenFile(problem.file);
    }
  }

  function render() {
    const problems = all();
    mark(problems);
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.length - errors;
    summary.textContent = problems.length
      ? t('{errors} errors, {warnings} warnings', { errors, warnings }) : t('No problems.');
    summary.className = 'badge ' + (errors ? 'text-bg-danger' : warnings ? 'text-bg-warning' : 'text-bg-success');
    summary.setAttribute('data-errors', String(errors));
    list.innerHTML = '';
    problems.forEach(function(p) {
      const item = document.createElement('li');
      item.className = 'list-group-item list-group-item-action py-1 small anju-problem-item';
      item.setAttribute('data-source', p.source);
      item.setAttribute('data-severity', p.severity);
      item.setAttribute('data-element-id', p.elementId || '');
      const element = p.elementId && registry.get(p.elementId);
      const name = element && element.businessObject && element.businessObject.name;
      const where = [];
      if (p.file) {
        where.push(p.line ? t('{file}, line {line}', { file: p.file, line: p.line }) : p.file);
      }
      if (p.rule) {
        where.push(p.rule);
      }
      item.innerHTML =
        '<span class="badge me-1 ' + (p.severity === 'error' ? 'text-bg-danger' : 'text-bg-warning') + '">' +
        escapeText(p.severity === 'error' ? t('Error') : t('Warning')) + '</span>' +
        (p.elementId ? '<code class="me-1">' + escapeText(p.elementId) + '</code>' : '') +
        (name ? '<span class="me-1">' + escapeText(name) + '</span>' : '') +
        '<span class="anju-problem-message">' + escapeText(p.message) + '</span>' +
        (where.length ? ' <span class="text-body-secondary">(' + escapeText(where.join(' · ')) + ')</span>' : '');
      item.setAttribute('role', 'button');
      item.tabIndex = 0;
      item.addEventListener('click', function() {
        select(p);
      });
      item.addEventListener('keydown', function(event) {
        if (event.key === 'Enter') {
          select(p);
        }
      });
      list.appendChild(item);
    });
  }

  return {
    setServer(problems) {
      server = problems || [];
      render();
    },
    /** bpmn-js-bpmnlint's issues, grouped by element id. */
    setLint(issues) {
      lint = [];
      Object.keys(issues || {}).forEach(function(id) {
        issues[id].forEach(function(issue) {
          lint.push({
            source: 'bpmnlint', severity: issue.category === 'error' ? 'error' : 'warn',
            message: t(issue.message), elementId: issue.actualElementId || issue.id, rule: issue.rule, file: '', line: null
          });
        });
      });
      render();
    },
    /** Linter.lint()'s result: {rule: [report]}. */
    setLintRaw(reports) {
      const grouped = {};
      Object.keys(reports || {}).forEach(function(rule) {
        reports[rule].forEach(function(report) {
          (grouped[report.id] = grouped[report.id] || []).push(Object.assign({}, report, { rule }));
        });
      });
      this.setLint(grouped);
    },
    all,
    errors() {
      return all().filter((p) => p.severity === 'error');
    },
    select,
    refreshMarks() {
      mark(all());
    }
  };
}
