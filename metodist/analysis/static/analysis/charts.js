/* Analysis charts drawn with the vendored ECharts from JSON the page carries (json_script), so that the
   Content-Security-Policy allows them: no inline code, no style attributes (tooltips are drawn on the
   canvas — renderMode "richText" — not as HTML).

   <div class="analysis-chart" data-chart="chart-tasks"></div> + <script type="application/json" id="chart-tasks">
   kinds: "heatmap" {x, y, values[[x, y, rate]]}, "bars" {x, series[{name, data}], unit},
          "distribution" {x, values, boundaries[{score, mark}]} */
(function () {
  "use strict";

  var GREEN = "#3c9a5f", YELLOW = "#f2c94c", RED = "#d9534f";
  var TOOLTIP = { renderMode: "richText", confine: true };

  function readData(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (error) { return null; }
  }

  function pct(value) {
    return value === null || value === undefined ? "—" : String(value).replace(".", ",") + " %";
  }

  function heatmap(data, element) {
    var rows = data.y.length;
    element.style.height = Math.max(260, 28 * rows + 110) + "px";
    return {
      tooltip: Object.assign({ formatter: function (p) {
        return data.y[p.value[1]] + "\n" + "Задание " + data.x[p.value[0]] + ": " + pct(p.value[2]);
      } }, TOOLTIP),
      grid: { left: 8, right: 8, top: 8, bottom: 64, containLabel: true },
      xAxis: { type: "category", data: data.x, splitArea: { show: true }, name: "Задание", nameLocation: "middle", nameGap: 26 },
      yAxis: { type: "category", data: data.y, inverse: true, splitArea: { show: true },
               axisLabel: { width: 140, overflow: "truncate" } },
      visualMap: { min: 0, max: 100, calculable: false, orient: "horizontal", left: "center", bottom: 0,
                   itemHeight: 120, text: ["100 %", "0 %"], inRange: { color: [RED, YELLOW, GREEN] } },
      series: [{ type: "heatmap", data: data.values, label: { show: rows <= 40, fontSize: 10,
                 formatter: function (p) { return Math.round(p.value[2]); } } }]
    };
  }

  function bars(data) {
    return {
      tooltip: Object.assign({ trigger: "axis", valueFormatter: pct }, TOOLTIP),
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 28, containLabel: true },
      xAxis: { type: "category", data: data.x, name: "Задание", nameLocation: "middle", nameGap: 24 },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } },
      series: data.series.map(function (s) { return { type: "bar", name: s.name, data: s.data }; })
    };
  }

  function distribution(data) {
    var lines = data.boundaries.map(function (b) {
      return { xAxis: String(b.score), label: { formatter: "«" + b.mark + "»" } };
    });
    return {
      tooltip: Object.assign({ trigger: "axis" }, TOOLTIP),
      grid: { left: 8, right: 16, top: 28, bottom: 28, containLabel: true },
      xAxis: { type: "category", data: data.x.map(String), name: "Первичный балл", nameLocation: "middle", nameGap: 24 },
      yAxis: { type: "value", minInterval: 1, name: "Участников" },
      series: [{ type: "bar", name: "Участников", data: data.values, itemStyle: { color: "#0d6efd" },
                 markLine: { symbol: "none", lineStyle: { color: RED, type: "dashed" }, data: lines } }]
    };
  }

  var BUILDERS = { heatmap: heatmap, bars: bars, distribution: distribution };

  function draw(element) {
    if (!window.echarts || element.getAttribute("data-drawn")) { return; }
    var data = readData(element.getAttribute("data-chart"));
    if (!data || !BUILDERS[data.kind]) { element.hidden = true; return; }
    var option = BUILDERS[data.kind](data, element);
    var chart = window.echarts.init(element, null, { renderer: "canvas", locale: "RU" });
    chart.setOption(option);
    element.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  });
})();
