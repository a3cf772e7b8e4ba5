/* The one BPMN diagram viewer of the pages (bpmn-js NavigatedViewer, global BpmnJS: drag to move,
 * Ctrl + wheel to zoom). Containers:
 *   .anju-diagram[data-xml][data-markers][data-taken]  an instance's or task's diagram: markers
 *        {current, active, completed, failed: [element ids]}; data-taken names [from, to] pairs of
 *        element ids: the sequence flows between them are drawn as the path taken. A wide flow
 *        shows its current step; data-error is the note on failure
 *   .anju-flow-diagram[data-xml][data-markers]  a flow version (designer's flow pages): markers
 *        {kind: [element ids]}, and optionally
 *        [data-waits]  a heatmap: per element a badge "waiting · avg" and a colour by how many wait;
 *                      clicking a waiting element lists its instances (GET data-instances-url?element=)
 *        a link [data-svg-for=<container id>] exports the diagram as SVG
 * Controls [data-diagram-for=<container id>] (pages/_diagram_controls.html) hold buttons
 * data-diagram = zoom-in | zoom-out | fit | focus and a readout data-diagram = scale.
 * A marker kind k sets the class anju-k. Data comes from json_script blocks named by data-xml,
 * data-markers, data-taken and data-waits; every string shown comes from the page, never from here. */
(function () {
  "use strict";

  var MIN_SCALE = 0.55;
  var READABLE_SCALE = 0.85;

  function readJson(id) {
    var node = id && document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function text(container, name, fallback) {
    return container.getAttribute("data-text-" + name) || fallback;
  }

  function isInstanceDiagram(container) {
    return container.classList.contains("anju-diagram");
  }

  function fail(container, error) {
    if (isInstanceDiagram(container)) {
      var note = document.createElement("div");
      note.className = "anju-diagram-error";
      note.textContent = container.getAttribute("data-error") || "The diagram could not be drawn.";
      container.appendChild(note);
    }
    container.setAttribute("data-rendered", "error");
    if (error && window.console) {
      window.console.error(error);
    }
  }

  function mark(canvas, registry, markers) {
    var marked = 0;
    Object.keys(markers).forEach(function (kind) {
      (markers[kind] || []).forEach(function (id) {
        if (registry.get(id)) {
          canvas.addMarker(id, "anju-" + kind);
          marked += 1;
        }
      });
    });
    return marked;
  }

  // --- an instance's diagram: the path taken, the current step ----------------------------------

  // The sequence flows from each [from, to] pair's first element to its second.
  function markTaken(canvas, registry, pairs) {
    var wanted = {};
    (pairs || []).forEach(function (pair) { wanted[pair[0] + " " + pair[1]] = true; });
    var marked = 0;
    registry.filter(function (element) {
      return element.type === "bpmn:SequenceFlow" && element.source && element.target &&
        wanted[element.source.id + " " + element.target.id];
    }).forEach(function (flow) {
      canvas.addMarker(flow.id, "anju-taken");
      marked += 1;
    });
    return marked;
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

  // The element the work is at: the task of a task page, else an active task (rather than a
  // timer or a gateway waiting beside it), else the first active element.
  function currentElement(registry, markers) {
    var found = (markers.current || []).concat(markers.active || []).map(function (id) {
      return registry.get(id);
    }).filter(function (element) { return element && !element.waypoints; });
    var task = found.filter(function (element) { return /Task$/.test(element.type); })[0];
    return (markers.current || []).length && found[0] ? found[0] : task || found[0] || null;
  }

  function showCurrent(canvas, current) {
    // A wide flow fitted into a narrow column is unreadable: show the current step instead.
    if (current && canvas.viewbox().scale < MIN_SCALE) {
      focus(canvas, current, READABLE_SCALE);
    }
  }

  // --- zoom controls -----------------------------------------------------------------------------

  function bindControls(container, viewer, current) {
    var group = container.id ? document.querySelector("[data-diagram-for='" + container.id + "']") : null;
    if (!group) { return; }
    var canvas = viewer.get("canvas");
    var zoomScroll = viewer.get("zoomScroll", false);
    var readout = group.querySelector("[data-diagram='scale']");

    function middle() {
      var outer = canvas.viewbox().outer;
      return { x: outer.width / 2, y: outer.height / 2 };
    }
    function step(direction) {
      if (zoomScroll) {
        zoomScroll.stepZoom(direction, middle());
      } else {
        canvas.zoom(canvas.zoom() * (direction > 0 ? 1.25 : 0.8), middle());
      }
    }
    function show() {
      var scale = canvas.viewbox().scale;
      container.setAttribute("data-scale", scale.toFixed(3));
      if (readout) { readout.textContent = Math.round(scale * 100) + "%"; }
    }
    var actions = {
      "zoom-in": function () { step(1); },
      "zoom-out": function () { step(-1); },
      "fit": function () { canvas.zoom("fit-viewport", "auto"); },
      "focus": current ? function () { focus(canvas, current, READABLE_SCALE); } : null
    };
    Array.prototype.forEach.call(group.querySelectorAll("button[data-diagram]"), function (button) {
      var action = actions[button.getAttribute("data-diagram")];
      if (!action) { return; }
      button.hidden = false;
      button.addEventListener("click", action);
    });
    viewer.get("eventBus").on("canvas.viewbox.changed", show);
    show();
    group.hidden = false;
  }

  // --- a flow version: where work waits, SVG export ----------------------------------------------

  function minutes(value, container) {
    if (value === null || value === undefined) { return ""; }
    if (value < 60) { return Math.round(value) + " " + text(container, "min", "min"); }
    if (value < 60 * 24) { return (value / 60).toFixed(1) + " " + text(container, "hours", "h"); }
    return (value / 60 / 24).toFixed(1) + " " + text(container, "days", "d");
  }

  function heat(count, most) {
    if (!count) { return ""; }
    var share = count / most;
    return share > 0.66 ? "anju-heat-3" : share > 0.33 ? "anju-heat-2" : "anju-heat-1";
  }

  function listInstances(container, elementId, name) {
    var panel = document.getElementById(container.getAttribute("data-panel"));
    if (!panel) { return; }
    var url = container.getAttribute("data-instances-url") + "&element=" + encodeURIComponent(elementId);
    panel.setAttribute("data-loading", "true");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var title = panel.querySelector("[data-role='title']");
        var list = panel.querySelector("[data-role='list']");
        title.textContent = name;
        list.innerHTML = "";
        (body.instances || []).forEach(function (row) {
          var item = document.createElement("a");
          item.className = "list-group-item list-group-item-action small";
          item.href = container.getAttribute("data-instance-url").replace("0", String(row.id));
          item.setAttribute("data-instance", String(row.id));
          item.textContent = row.business_key + (row.title ? " · " + row.title : "") + (row.customer_name ? " · " + row.customer_name : "");
          list.appendChild(item);
        });
        if (!list.children.length) {
          var none = document.createElement("div");
          none.className = "list-group-item small text-body-secondary";
          none.textContent = text(container, "none", "—");
          list.appendChild(none);
        }
        panel.hidden = false;
        panel.removeAttribute("data-loading");
      });
  }

  function showWaits(container, viewer, canvas, registry) {
    var waits = readJson(container.getAttribute("data-waits"));
    if (!waits) { return 0; }
    var marked = 0;
    var overlays = viewer.get("overlays");
    var most = Math.max.apply(null, waits.map(function (w) { return w.waiting; }).concat([1]));
    waits.forEach(function (w) {
      var element = registry.get(w.element_id);
      if (!element) { return; }
      var level = heat(w.waiting, most);
      if (level) { canvas.addMarker(w.element_id, level); marked += 1; }
      var badge = document.createElement("div");
      badge.className = "anju-wait-badge" + (w.waiting ? "" : " anju-wait-idle");
      badge.setAttribute("data-element", w.element_id);
      var parts = [String(w.waiting)];
      if (w.avg_wait_minutes !== null && w.waiting) { parts.push("⌀ " + minutes(w.avg_wait_minutes, container)); }
      badge.textContent = parts.join(" · ");
      badge.title = text(container, "badge-title", "")
        .replace("%(waiting)s", w.waiting).replace("%(done)s", w.done)
        .replace("%(done_avg)s", minutes(w.avg_done_minutes, container) || "—");
      overlays.add(w.element_id, { position: { top: -14, right: 12 }, html: badge });
    });
    viewer.get("eventBus").on("element.click", function (event) {
      var found = waits.filter(function (w) { return w.element_id === event.element.id && w.waiting; })[0];
      if (found) { listInstances(container, found.element_id, event.element.businessObject.name || found.element_id); }
    });
    return marked;
  }

  function bindSvgExport(container, viewer) {
    var svgLink = container.id ? document.querySelector("[data-svg-for='" + container.id + "']") : null;
    if (!svgLink) { return; }
    svgLink.addEventListener("click", function (event) {
      event.preventDefault();
      viewer.saveSVG().then(function (result) {
        var blob = new Blob([result.svg], { type: "image/svg+xml" });
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = svgLink.getAttribute("data-file") || "diagram.svg";
        document.body.appendChild(link);
        link.click();
        link.remove();
      });
    });
  }

  // --- drawing -----------------------------------------------------------------------------------

  function draw(container) {
    var xml = readJson(container.getAttribute("data-xml"));
    if (!xml || typeof window.BpmnJS !== "function") {
      fail(container);
      return;
    }
    var viewer = new window.BpmnJS({ container: container });
    viewer.importXML(xml).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport", "auto");
      var markers = readJson(container.getAttribute("data-markers")) || {};
      var marked = mark(canvas, registry, markers);
      var current = null;
      if (isInstanceDiagram(container)) {
        var taken = markTaken(canvas, registry, readJson(container.getAttribute("data-taken")));
        container.setAttribute("data-taken-flows", String(taken));
        current = currentElement(registry, markers);
        showCurrent(canvas, current);
      } else {
        marked += showWaits(container, viewer, canvas, registry);
        bindSvgExport(container, viewer);
      }
      bindControls(container, viewer, current);
      container.setAttribute("data-marked", String(marked));
      container.setAttribute("data-rendered", "true");
    }).catch(function (error) {
      fail(container, error);
    });
  }

  function start() {
    var containers = document.querySelectorAll(".anju-diagram[data-xml], .anju-flow-diagram[data-xml]");
    Array.prototype.forEach.call(containers, draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
