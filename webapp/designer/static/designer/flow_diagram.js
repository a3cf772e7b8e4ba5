/* Diagrams of the flow pages (versions compare, where work waits), drawn with bpmn-js's
 * NavigatedViewer (global BpmnJS). Containers:
 *   .anju-flow-diagram[data-xml][data-markers]  markers {kind: [element ids]} → class anju-<kind>
 *   [data-waits]  a heatmap: per element a badge "waiting · avg" and a colour by how many wait;
 *                 clicking a waiting element lists its instances (GET data-instances-url?element=)
 * Every string shown comes from the page (data-* attributes), never from here. */
(function () {
  "use strict";

  function json(id) {
    var node = id && document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function text(container, name, fallback) {
    return container.getAttribute("data-text-" + name) || fallback;
  }

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

  function draw(container) {
    var xml = json(container.getAttribute("data-xml"));
    if (!xml || typeof window.BpmnJS !== "function") {
      container.setAttribute("data-rendered", "error");
      return;
    }
    var viewer = new window.BpmnJS({ container: container });
    viewer.importXML(xml).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport", "auto");
      var markers = json(container.getAttribute("data-markers")) || {};
      var marked = 0;
      Object.keys(markers).forEach(function (kind) {
        (markers[kind] || []).forEach(function (id) {
          if (registry.get(id)) { canvas.addMarker(id, "anju-" + kind); marked += 1; }
        });
      });
      var waits = json(container.getAttribute("data-waits"));
      if (waits) {
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
      }
      container.setAttribute("data-marked", String(marked));
      container.setAttribute("data-rendered", "true");
      var svgLink = document.querySelector("[data-svg-for='" + container.id + "']");
      if (svgLink) {
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
    }).catch(function (error) {
      container.setAttribute("data-rendered", "error");
      if (window.console) { window.console.error(error); }
    });
  }

  function pollJob(node) {
    var url = node.getAttribute("data-job-url");
    var bar = node.querySelector(".progress-bar");
    var counts = node.querySelector("[data-role='counts']");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          var share = job.total ? Math.round(job.done * 100 / job.total) : 100;
          bar.style.width = share + "%";
          bar.textContent = share + "%";
          bar.setAttribute("aria-valuenow", String(share));
          counts.textContent = node.getAttribute("data-text-counts")
            .replace("%(done)s", job.done).replace("%(total)s", job.total)
            .replace("%(migrated)s", job.migrated).replace("%(skipped)s", job.skipped);
          node.setAttribute("data-status", job.status);
          if (job.status === "done" || job.status === "failed") {
            window.location.reload();
          } else {
            window.setTimeout(tick, 1000);
          }
        });
    }
    tick();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".anju-flow-diagram[data-xml]"), draw);
    Array.prototype.forEach.call(document.querySelectorAll("[data-job-url][data-running='true']"), pollJob);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
