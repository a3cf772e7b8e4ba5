// The "显示" buttons of personal data (webapp/pages/templatetags/privacy.py): each asks
// /api/privacy/reveal/ for one value (the server checks the permission and writes the audit event)
// and shows it in place of the mask. Without JavaScript the reveal forms post to /privacy/reveal/.
(function () {
  "use strict";

  function csrfToken(scope) {
    var field = (scope && scope.querySelector("[name=csrfmiddlewaretoken]")) ||
      document.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function reveal(api, kind, id, field, token) {
    return fetch(api, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token},
      body: JSON.stringify({kind: kind, id: Number(id), field: field})
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.detail || String(response.status)); }
        return body.value;
      });
    });
  }

  function failed(button, error) {
    button.disabled = false;
    button.classList.add("text-danger");
    button.title = error.message;
  }

  // A masked value in text: the form follows the span holding the mask.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-reveal]");
    if (!form) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    reveal(form.dataset.api, form.elements.kind.value, form.elements.id.value, form.elements.field.value,
      csrfToken(form)).then(function (value) {
      var shown = form.previousElementSibling;
      if (shown && shown.hasAttribute("data-personal")) {
        shown.textContent = value;
        shown.classList.add("anju-revealed");
      }
      form.remove();
    }, function (error) { failed(button, error); });
  });

  // A masked value in an input (as its placeholder, or a read-only value): fill the input.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-reveal-input]");
    if (!button) { return; }
    event.preventDefault();
    var input = document.getElementById(button.dataset.revealInput);
    button.disabled = true;
    reveal(button.dataset.api, button.dataset.kind, button.dataset.id, button.dataset.field,
      csrfToken(input && input.form)).then(function (value) {
      if (input) {
        input.value = value;
        input.placeholder = "";
        if (input.form && !input.readOnly) {  // the server takes this field as typed, empty too
          var marker = document.createElement("input");
          marker.type = "hidden";
          marker.name = "_revealed";
          marker.value = button.dataset.field;
          input.form.appendChild(marker);
        }
      }
      button.remove();
    }, function (error) { failed(button, error); });
  });

  // Buttons rendered apart from a generated form move next to their input.
  document.querySelectorAll("[data-reveal-buttons] button[data-reveal-input]").forEach(function (button) {
    var input = document.getElementById(button.dataset.revealInput);
    if (input) { input.insertAdjacentElement("afterend", button); }
  });
})();
