// The work report's pages: the print button, and on the dashboard the ECharts charts fed by
// the page's json_script ("report-data"): month-by-month trend, comparison of subordinate
// orgs, and the panels modules add through core.hooks.dashboard_panels.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  onReady(function () {
    document.querySelectorAll("[data-print]").forEach(function (btn) {
      btn.addEventListener("click", function () { window.print(); });
    });

    var dataEl = document.getElementById("report-data");
    if (!dataEl || typeof window.echarts === "undefined") return;
    var data = JSON.parse(dataEl.textContent);
    var charts = [];

    function chart(el) {
      var c = window.echarts.init(el, null, { renderer: "canvas" });
      charts.push(c);
      return c;
    }

    function fillSelect(select, series) {
      series.forEach(function (s, i) {
        var opt = document.createElement("option");
        opt.value = String(i);
        opt.textContent = s.label + "(" + s.unit + ")";
        select.appendChild(opt);
      });
    }

    var trendEl = document.getElementById("chart-trend");
    var trendSelect = document.getElementById("trend-figure");
    var trendChart = trendEl ? chart(trendEl) : null;
    function drawTrend() {
      var s = data.trend.series[Number(trendSelect.value) || 0];
      if (!s) return;
      trendChart.setOption({
        tooltip: { trigger: "axis" },
        grid: { left: 48, right: 16, top: 24, bottom: 32 },
        xAxis: { type: "category", data: data.trend.months },
        yAxis: { type: "value", name: s.unit },
        series: [{ name: s.label, type: "line", data: s.values, areaStyle: { opacity: 0.15 } }],
      }, true);
    }
    if (trendChart && trendSelect) {
      fillSelect(trendSelect, data.trend.series);
      trendSelect.addEventListener("change", drawTrend);
      drawTrend();
    }

    var barEl = document.getElementById("chart-breakdown");
    var barSelect = document.getElementById("breakdown-figure");
    var barChart = barEl ? chart(barEl) : null;
    function drawBreakdown() {
      var s = data.breakdown.series[Number(barSelect.value) || 0];
      if (!s) return;
      barChart.setOption({
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 96, right: 24, top: 16, bottom: 24 },
        xAxis: { type: "value", name: s.unit },
        yAxis: { type: "category", data: data.breakdown.orgs, inverse: true },
        series: [{ name: s.label, type: "bar", data: s.values }],
      }, true);
    }
    if (barChart && barSelect) {
      fillSelect(barSelect, data.breakdown.series);
      barSelect.addEventListener("change", drawBreakdown);
      drawBreakdown();
    }

    var panels = document.getElementById("panels");
    (data.panels || []).forEach(function (panel) {
      var card = document.createElement("div");
      card.className = "chart-card";
      var h = document.createElement("h2");
      h.textContent = panel.title;
      var el = document.createElement("div");
      el.className = "chart";
      card.appendChild(h);
      card.appendChild(el);
      panels.appendChild(card);
      chart(el).setOption(panel.option);
    });

    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  });
})();
