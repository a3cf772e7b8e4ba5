/* The designer's calls to the Anju API (session cookie + CSRF header, JSON in and out).
 * Every call resolves to {ok, status, body}; network failures resolve too (status 0), so the
 * page can always say what happened. */

export function createApi(csrfToken) {
  async function call(method, url, body) {
    const init = {
      method,
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'X-CSRFToken': csrfToken }
    };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      return { ok: false, status: 0, body: { detail: String(error) } };
    }
    let data = null;
    if (response.status !== 204) {
      try {
        data = await response.json();
      } catch (error) {
        data = { detail: response.statusText };
      }
    }
    return { ok: response.ok, status: response.status, body: data || {} };
  }

  return {
    get: (url) => call('GET', url),
    post: (url, body) => call('POST', url, body === undefined ? {} : body),
    put: (url, body) => call('PUT', url, body),
    del: (url) => call('DELETE', url)
  };
}

/** The error text of a failed call: the API's detail, then its field errors. */
export function errorText(result) {
  const body = result.body || {};
  const parts = [];
  if (body.detail) {
    parts.push(String(body.detail));
  }
  const fields = body.field_errors || {};
  Object.keys(fields).forEach(function(name) {
    (fields[name] || []).forEach(function(message) {
      parts.push(message);
    });
  });
  return parts.join(' ');
}

/** A download of text the page holds (the diagram as .bpmn or .svg). */
export function download(name, text, type) {
  const blob = new Blob([ text ], { type: type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  setTimeout(function() {
    URL.revokeObjectURL(url);
    link.remove();
  }, 0);
}

/** The page's JSON config (a json_script block). */
export function readConfig(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}
