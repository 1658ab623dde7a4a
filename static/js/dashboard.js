/* The dashboard's charts (ECharts, served by the app): the 12-month trend and the ranking. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  }

  draw("chart-trend", {
    animation: false,
    color: ["#1f5fa8", "#38a169"],
    tooltip: { trigger: "axis" },
    legend: { data: ["平安指数", "化解率(%)"], bottom: 0 },
    grid: { left: 40, right: 16, top: 20, bottom: 56 },
    xAxis: { type: "category", data: data.trend.map(function (r) { return r.key.slice(2); }) },
    yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10 - 10); }, max: 100 },
    series: [
      { name: "平安指数", type: "line", smooth: true, connectNulls: true, symbolSize: 6,
        data: data.trend.map(function (r) { return r.safety_index; }) },
      { name: "化解率(%)", type: "line", smooth: true, connectNulls: true, symbolSize: 6,
        lineStyle: { type: "dashed" }, data: data.trend.map(function (r) { return r.resolution_rate; }) }
    ]
  });

  if (data.ranking.length) {
    var el = document.getElementById("chart-ranking");
    if (el) el.style.height = Math.max(280, data.ranking.length * 26 + 60) + "px";
    draw("chart-ranking", {
      animation: false,
      color: ["#1f5fa8"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 36, top: 10, bottom: 20, containLabel: true },
      xAxis: { type: "value", max: 100 },
      yAxis: { type: "category", data: data.ranking.map(function (r) { return r.name; }) },
      series: [{ type: "bar", data: data.ranking.map(function (r) { return r.value; }),
        label: { show: true, position: "right" }, barMaxWidth: 18 }]
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
