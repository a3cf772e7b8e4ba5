/* 维修统计's charts (ECharts from npm, served from vendor/echarts/dist/).
 *
 * The figures come from the page (<script id="repair-stats-data" type="application/json">, built by
 * webapp/repairs/stats_views.py): one bar chart per dimension (closed and still open, with the
 * average completion time as a line) and the satisfaction distribution. Clicking a bar drills down to
 * that estate, category, team or technician (the same page, filtered). SVG, so they print sharp;
 * window.anjuCharts holds the instances and #stats-charts says data-rendered="true" once drawn. */
(function () {
  "use strict";

  var source = document.getElementById("repair-stats-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var board = window.anjuBoard("stats-charts");
  var init = board.init;

  function empty(chart) {
    board.empty(chart, data.text.empty);
  }

  var satisfaction = init("chart-satisfaction");
  if (satisfaction) {
    var colours = ["#dc3545", "#fd7e14", "#ffc107", "#20c997", "#198754", "#adb5bd"];
    satisfaction.setOption({
      aria: { enabled: true },
      animation: false,
      grid: { left: 40, right: 16, top: 24, bottom: 28 },
      tooltip: { trigger: "item" },
      xAxis: { type: "category", data: data.satisfaction.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        type: "bar", name: data.text.repairs, barMaxWidth: 40, label: { show: true, position: "top" },
        data: data.satisfaction.values.map(function (value, i) {
          return { value: value, itemStyle: { color: colours[i] } };
        })
      }]
    });
  }

  data.charts.forEach(function (spec) {
    var chart = init(spec.id);
    if (!chart) {
      return;
    }
    if (!spec.names.length) {
      empty(chart);
      return;
    }
    chart.setOption({
      aria: { enabled: true },
      animation: false,
      legend: { top: 0 },
      grid: { left: 44, right: 48, top: 32, bottom: 48 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: spec.names, axisLabel: { interval: 0, rotate: spec.names.length > 6 ? 30 : 0 } },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", name: data.text.completion, nameTextStyle: { align: "right" } }],
      series: [
        { type: "bar", name: data.text.closed, stack: "repairs", data: spec.closed, itemStyle: { color: "#198754" }, barMaxWidth: 32 },
        { type: "bar", name: data.text.open, stack: "repairs", data: spec.open, itemStyle: { color: "#ffc107" }, barMaxWidth: 32 },
        { type: "line", name: data.text.completion, yAxisIndex: 1, data: spec.completion, itemStyle: { color: "#0d6efd" } }
      ]
    });
    chart.on("click", function (event) {
      var target = spec.drill[event.dataIndex];
      if (target) {
        window.location.href = target;
      }
    });
  });

  window.addEventListener("resize", function () {
    Object.keys(board.charts).forEach(function (id) { board.charts[id].resize(); });
  });
})();
