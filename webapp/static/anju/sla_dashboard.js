/* The SLA dashboard's charts (ECharts from npm, served from vendor/echarts/dist/).
 *
 * The figures come from the page (<script id="sla-data" type="application/json">, built by
 * webapp/pages/sla.py); clicking a bar opens the drill-down list of its tasks. The charts are
 * drawn as SVG so they stay sharp when printed. window.anjuCharts holds the chart instances. */
(function () {
  "use strict";

  var source = document.getElementById("sla-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var KIND_COLOURS = { breaches: ["#dc3545", "#b02a37", "#ea868f", "#842029", "#f1aeb5"],
                       warnings: ["#ffc107", "#fd7e14", "#ffda6a", "#cc9a06", "#ffe69c"] };

  function drill(params) {
    var query = new URLSearchParams();
    Object.keys(params).forEach(function (key) {
      if (params[key] !== undefined && params[key] !== null && params[key] !== "") {
        query.set(key, params[key]);
      }
    });
    window.location.href = data.drill + "?" + query.toString();
  }

  var board = window.anjuBoard("sla-charts");
  var init = board.init;

  function weekLabel(iso) {
    return iso.slice(5); // "2026-11-23" → "11-23" (the Monday of the week)
  }

  // Open tasks by time left: one bar per window, in the window's colour.
  var remaining = init("chart-remaining");
  if (remaining) {
    remaining.setOption({
      aria: { enabled: true },
      animation: false,
      grid: { left: 40, right: 16, top: 24, bottom: 28 },
      tooltip: { trigger: "item" },
      xAxis: { type: "category", data: data.buckets.map(function (b) { return b.label; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        type: "bar",
        name: data.text.tasks,
        barMaxWidth: 48,
        label: { show: true, position: "top" },
        data: data.buckets.map(function (b) {
          return { value: b.count, itemStyle: { color: b.colour } };
        })
      }]
    });
    remaining.on("click", function (event) {
      drill({ bucket: data.buckets[event.dataIndex].key });
    });
  }

  // Warnings and breaches per week, one stacked bar per kind, a colour per department or class.
  function weekly(id, series) {
    var chart = init(id);
    if (!chart) {
      return;
    }
    if (!series.length) {
      chart.setOption({
        title: { text: data.text.empty, left: "center", top: "middle",
                 textStyle: { fontSize: 13, fontWeight: "normal", color: "#6c757d" } }
      });
      return;
    }
    var used = { breaches: 0, warnings: 0 };
    chart.setOption({
      aria: { enabled: true },
      animation: false,
      legend: { type: "scroll", top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      tooltip: { trigger: "item" },
      xAxis: { type: "category", data: data.weeks.map(weekLabel) },
      yAxis: { type: "value", minInterval: 1 },
      series: series.map(function (s) {
        var colours = KIND_COLOURS[s.kind];
        var colour = colours[used[s.kind]++ % colours.length];
        return { type: "bar", name: s.name, stack: s.stack, data: s.data, itemStyle: { color: colour },
                 barMaxWidth: 28 };
      })
    });
    chart.on("click", function (event) {
      var picked = series[event.seriesIndex];
      drill(Object.assign({}, picked.filter, { week: data.weeks[event.dataIndex] }));
    });
  }

  weekly("chart-lanes", data.lanes);
  weekly("chart-categories", data.categories);

  window.addEventListener("resize", function () {
    Object.keys(board.charts).forEach(function (id) { board.charts[id].resize(); });
  });
})();
