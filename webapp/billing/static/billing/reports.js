/* 费用统计's charts (ECharts from npm, served from vendor/echarts/dist/).
 *
 * The figures come from the page (<script id="billing-report-data" type="application/json">, built
 * by webapp/billing/report_views.py; money as text with two decimals): receivable and received per
 * month as bars with the collection rate as a line, and the buildings (or the rooms of a building)
 * as bars. Clicking a building's bar opens its rooms, a room's bar its bills (the same page,
 * filtered). SVG; window.anjuCharts holds the instances and #report-charts says
 * data-rendered="true" once drawn. */
(function () {
  "use strict";

  var source = document.getElementById("billing-report-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var board = window.anjuBoard("report-charts");
  var init = board.init;

  function numbers(values) {
    return values.map(function (value) { return value === null ? null : Number(value); });
  }


  function empty(chart) {
    board.empty(chart, data.text.empty);
  }

  var months = init("chart-months");
  if (months) {
    months.setOption({
      aria: { enabled: true },
      animation: false,
      legend: { top: 0 },
      grid: { left: 64, right: 48, top: 32, bottom: 40 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.months.labels },
      yAxis: [{ type: "value" }, { type: "value", min: 0, max: 100, name: data.text.rate, nameTextStyle: { align: "right" } }],
      series: [
        { type: "bar", name: data.text.receivable, data: numbers(data.months.receivable), itemStyle: { color: "#0d6efd" }, barMaxWidth: 24 },
        { type: "bar", name: data.text.received, data: numbers(data.months.received), itemStyle: { color: "#198754" }, barMaxWidth: 24 },
        { type: "line", name: data.text.rate, yAxisIndex: 1, connectNulls: false, data: numbers(data.months.rate), itemStyle: { color: "#fd7e14" } }
      ]
    });
  }

  var places = init("chart-places");
  if (places) {
    if (!data.places.labels.length) {
      empty(places);
    } else {
      places.setOption({
        aria: { enabled: true },
        animation: false,
        legend: { top: 0 },
        grid: { left: 64, right: 16, top: 32, bottom: 56 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: data.places.labels, axisLabel: { interval: 0, rotate: data.places.labels.length > 6 ? 30 : 0 } },
        yAxis: { type: "value" },
        series: [
          { type: "bar", name: data.text.receivable, data: numbers(data.places.receivable), itemStyle: { color: "#0d6efd" }, barMaxWidth: 28 },
          { type: "bar", name: data.text.received, data: numbers(data.places.received), itemStyle: { color: "#198754" }, barMaxWidth: 28 },
          { type: "bar", name: data.text.arrears, data: numbers(data.places.arrears), itemStyle: { color: "#dc3545" }, barMaxWidth: 28 }
        ]
      });
      places.on("click", function (event) {
        var target = data.places.drill[event.dataIndex];
        if (target) {
          window.location.href = target;
        }
      });
    }
  }

  window.addEventListener("resize", function () {
    Object.keys(board.charts).forEach(function (id) { board.charts[id].resize(); });
  });
})();
