/* What the pages' ECharts boards share (the SLA dashboard, 维修统计, 费用统计).
 *
 * anjuBoard("box-id") gives init(id) → an ECharts instance drawn as SVG into the element `id`
 * (null when the page has no such element), and empty(chart, text) → the chart's "no data" title.
 * The box says data-rendered="true" once every chart it started has finished drawing (tests and
 * clicks wait for it), and window.anjuCharts holds the instances by element id. */
(function () {
  "use strict";

  window.anjuBoard = function (boxId) {
    var box = document.getElementById(boxId);
    var charts = {};
    var drawing = 0;
    window.anjuCharts = charts;

    function init(id) {
      var element = document.getElementById(id);
      if (!element) {
        return null;
      }
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      charts[id] = chart;
      drawing += 1;
      chart.on("finished", function done() {
        chart.off("finished", done);
        drawing -= 1;
        if (drawing === 0 && box) {
          box.dataset.rendered = "true";
        }
      });
      return chart;
    }

    function empty(chart, text) {
      chart.setOption({
        title: { text: text, left: "center", top: "middle",
                 textStyle: { fontSize: 13, fontWeight: "normal", color: "#6c757d" } }
      });
    }

    return { charts: charts, init: init, empty: empty };
  };
})();
