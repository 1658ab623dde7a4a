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

  function rankingMin(rows) {
    var values = rows.map(function (r) { return r.value; }).filter(function (v) { return v !== null; });
    if (!values.length) return 0;
    var low = Math.min.apply(null, values), high = Math.max.apply(null, values);
    var pad = Math.max(2, (high - low) * 0.25);
    return Math.max(0, Math.floor((low - pad) / 5) * 5);
  }

  if (data.ranking.length) {
    var el = document.getElementById("chart-ranking");
    if (el) el.style.height = Math.max(280, data.ranking.length * 26 + 60) + "px";
    draw("chart-ranking", {
      animation: false,
      color: ["#1f5fa8"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 36, top: 10, bottom: 20, containLabel: true },
      // From a little below the lowest unit, not from 0: units at 90–100 must look different.
      xAxis: { type: "value", max: 100, min: rankingMin(data.ranking), scale: true },
      yAxis: { type: "category", data: data.ranking.map(function (r) { return r.name; }) },
      series: [{ type: "bar", data: data.ranking.map(function (r) { return r.value; }),
        label: { show: true, position: "right" }, barMaxWidth: 18 }]
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
