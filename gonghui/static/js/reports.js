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

    // counts get whole-number ticks (no "0.5 件"); amounts and rates keep their decimals
    function isCount(values) {
      return values.every(function (v) { return v === null || Number.isInteger(v); });
    }

    function fillSelect(select, series) {
      series.forEach(function (s, i) {
        var opt = document.createElement("option");
        opt.value = String(i);
        opt.textContent = s.label + "（" + s.unit + "）";
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
        grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.trend.months },
        yAxis: { type: "value", name: s.unit, minInterval: isCount(s.values) ? 1 : 0 },
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
        grid: { left: 8, right: 40, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: "value", name: s.unit, minInterval: isCount(s.values) ? 1 : 0 },
        yAxis: {
          type: "category", data: data.breakdown.orgs, inverse: true,
          axisLabel: { interval: 0, width: 112, overflow: "break" },
        },
        series: [{
          name: s.label, type: "bar", data: s.values,
          label: { show: true, position: "right" },
        }],
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
      var option = panel.option;
      (option.series || []).forEach(function (series) {
        if (series.type === "pie") {  // the donut names each slice with its number
          series.label = Object.assign({ show: true, formatter: "{b}\n{c}" }, series.label || {});
          series.avoidLabelOverlap = true;
        }
      });
      chart(el).setOption(option);
    });

    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  });
})();
