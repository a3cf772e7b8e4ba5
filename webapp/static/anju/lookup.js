// Form fields with "x-lookup" (forms/lookup.py): the server renders a text input with
// role="combobox", a hidden input for the picked id and an empty listbox. This script fills the
// listbox from /api/lookups/<source>/ as the person types and follows the ARIA 1.2 combobox
// pattern (list autocomplete): arrows move through the suggestions (aria-activedescendant),
// Enter picks, Escape closes, a click picks. Picking stores the id and the record's name; typing
// again clears the id (free text, where the field allows it). Without JavaScript the field is a
// plain text input and the server links an exactly typed name where it can.
(function () {
  "use strict";

  var DELAY = 200;

  function scopeParams(input) {
    var scope = {};
    try { scope = JSON.parse(input.dataset.lookupScope || "{}"); } catch (error) { scope = {}; }
    var params = [];
    Object.keys(scope).forEach(function (name) {
      var field = document.getElementById(scope[name]);
      if (field && field.value) { params.push([name, field.value]); }
    });
    return params;
  }

  function setup(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = document.getElementById(input.id + "_status");
    var idField = document.getElementById(input.dataset.lookupId);
    if (!list || !idField) { return; }
    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function say(text) { if (status) { status.textContent = text; } }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        var on = i === index;
        option.setAttribute("aria-selected", on ? "true" : "false");
        option.classList.toggle("active", on);
        if (on) { option.scrollIntoView({block: "nearest"}); }
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = input.id + "_option_" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "list-group-item list-group-item-action";
        option.textContent = item.label;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the input
          pick(i);
        });
        list.appendChild(option);
      });
      if (found.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        say((status.dataset.count || "%s").replace("%s", found.length));
      } else {
        close();
        say(status.dataset.none || "");
      }
      active = -1;
    }

    function ask() {
      var params = new URLSearchParams([["q", input.value.trim()]].concat(scopeParams(input)));
      var number = ++asked;
      fetch(input.dataset.lookup + "?" + params.toString(), {
        credentials: "same-origin",
        headers: {"Accept": "application/json"}
      }).then(function (response) {
        return response.ok ? response.json() : {results: []};
      }).then(function (body) {
        if (number === asked && document.activeElement === input) { show(body.results || []); }
      }).catch(function () { close(); });
    }

    function clearDependants() {
      // A lookup narrowed by this field (rooms by the project) loses a pick that may not fit.
      document.querySelectorAll("input[data-lookup-scope]").forEach(function (other) {
        if (other === input) { return; }
        var scope = {};
        try { scope = JSON.parse(other.dataset.lookupScope); } catch (error) { return; }
        var narrowedBy = Object.keys(scope).some(function (k) { return scope[k] === idField.id; });
        if (narrowedBy) {
          var otherId = document.getElementById(other.dataset.lookupId);
          if (otherId && otherId.value) { otherId.value = ""; other.value = ""; }
        }
      });
    }

    function pick(index) {
      var item = items[index];
      if (!item) { return; }
      var changed = idField.value !== String(item.id);
      input.value = item.name;
      idField.value = String(item.id);
      close();
      say((status.dataset.picked || "%s").replace("%s", item.label));
      if (changed) { clearDependants(); }
    }

    input.addEventListener("input", function () {
      if (idField.value) { idField.value = ""; clearDependants(); }
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { ask(); return; }
        mark(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (!list.hidden) { mark(Math.max(active - 1, 0)); }
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault(); // pick, do not submit the form
          pick(active);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { close(); });
  }

  function init() {
    document.querySelectorAll("input[role=combobox][data-lookup]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
