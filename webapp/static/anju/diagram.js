/* Draws the instance's BPMN diagram with bpmn-js (NavigatedViewer, global BpmnJS) and marks
 * elements: the current task, other active elements, completed and failed ones.
 * Data comes from the page: json_script blocks named by the container's data-xml/data-markers. */
(function () {
  "use strict";

  var MARKERS = [
    ["completed", "anju-completed"],
    ["active", "anju-active"],
    ["current", "anju-current"],
    ["failed", "anju-failed"]
  ];

  var MIN_SCALE = 0.55;
  var READABLE_SCALE = 0.85;

  function readJson(id) {
    var node = id && document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function fail(container, error) {
    var note = document.createElement("div");
    note.className = "anju-diagram-error";
    note.textContent = container.getAttribute("data-error") || "The diagram could not be drawn.";
    container.appendChild(note);
    container.setAttribute("data-rendered", "error");
    if (error && window.console) {
      window.console.error(error);
    }
  }

  // Centre the view on one element at a readable scale.
  function focus(canvas, element, scale) {
    var outer = canvas.viewbox().outer;
    var width = outer.width / scale;
    var height = outer.height / scale;
    canvas.viewbox({
      x: element.x + element.width / 2 - width / 2,
      y: element.y + element.height / 2 - height / 2,
      width: width,
      height: height
    });
  }

  function bindButtons(container, canvas, current) {
    var card = container.closest(".card") || document;
    var whole = card.querySelector("[data-diagram='fit']");
    var here = card.querySelector("[data-diagram='focus']");
    if (whole) {
      whole.hidden = false;
      whole.addEventListener("click", function () { canvas.zoom("fit-viewport", "auto"); });
    }
    if (here && current) {
      here.hidden = false;
      here.addEventListener("click", function () { focus(canvas, current, READABLE_SCALE); });
    }
  }

  function draw(container) {
    var xml = readJson(container.getAttribute("data-xml"));
    var markers = readJson(container.getAttribute("data-markers")) || {};
    if (!xml || typeof window.BpmnJS !== "function") {
      fail(container);
      return;
    }
    var viewer = new window.BpmnJS({ container: container });
    viewer.importXML(xml).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport", "auto");
      var marked = 0;
      MARKERS.forEach(function (pair) {
        (markers[pair[0]] || []).forEach(function (id) {
          if (registry.get(id)) {
            canvas.addMarker(id, pair[1]);
            marked += 1;
          }
        });
      });
      // A wide flow fitted into a narrow column is unreadable: show the current step instead.
      var currentId = (markers.current || [])[0];
      var current = currentId ? registry.get(currentId) : null;
      if (current && canvas.viewbox().scale < MIN_SCALE) {
        focus(canvas, current, READABLE_SCALE);
      }
      bindButtons(container, canvas, current);
      container.setAttribute("data-marked", String(marked));
      container.setAttribute("data-rendered", "true");
    }).catch(function (error) {
      fail(container, error);
    });
  }

  function start() {
    var containers = document.querySelectorAll(".anju-diagram[data-xml]");
    Array.prototype.forEach.call(containers, draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
