/* 12351 hotline pages: Ctrl+Enter submits, the "answered on the spot" box follows the
   category, and the statistics charts are drawn from json_script data with ECharts. */
(function () {
  "use strict";

  // Ctrl+Enter (⌘+Enter on a Mac) submits the form the cursor is in.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target && event.target.closest && event.target.closest("form[data-ctrl-enter]");
    if (!form) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  // Only a consultation can be answered on the spot: show the box and the answer with it.
  function followCategory(form) {
    var category = form.querySelector("[name=category]");
    if (!category) return;
    var boxes = form.querySelectorAll("[data-consult-only]");
    var answered = form.querySelector("[name=answered]");
    var answer = form.querySelector("[data-answer]");
    function sync() {
      var consult = category.value === "consult";
      boxes.forEach(function (el) { el.hidden = !consult; });
      if (!consult && answered) answered.checked = false;
      if (answer) answer.hidden = !(consult && answered && answered.checked);
    }
    category.addEventListener("change", sync);
    if (answered) answered.addEventListener("change", sync);
    sync();
  }

  // The topic box takes a code or a name: show which topic it resolves to as one types.
  function topicHint(input) {
    // the topic picker's own options (core.pickers): text, code, name and parent name
    var list = document.getElementById(input.id + "-options");
    if (!list) return;
    var hint = document.createElement("small");
    hint.className = "help topic-hint";
    hint.setAttribute("data-testid", "topic-hint");
    hint.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", hint);
    function sync() {
      var value = input.value.trim();
      var found = "";
      if (value) {
        list.querySelectorAll("option").forEach(function (o) {
          if (found) return;
          var code = o.getAttribute("data-value");
          var name = o.getAttribute("data-label");
          var parent = o.getAttribute("data-detail");
          if (value === o.value || value === code || value === name) {
            found = parent ? parent + " › " + name : name;
          }
        });
      }
      hint.textContent = found ? "→ " + found : "";
    }
    input.addEventListener("input", sync);
    sync();
  }

  function drawCharts() {
    if (typeof window.echarts === "undefined") {
      // ECharts not run yet (loaded after this file): draw once the page has loaded
      if (document.readyState !== "complete") window.addEventListener("load", drawCharts);
      return;
    }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      var horizontal = data.labels.length > 8;
      var category = { type: "category", data: data.labels, axisLabel: { interval: 0 } };
      var value = { type: "value", minInterval: 1 };
      chart.setOption({
        animation: false,
        color: ["#b71c1c", "#f5b700", "#1b7f3b", "#667085"],
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
        xAxis: horizontal ? value : category,
        yAxis: horizontal ? Object.assign({ inverse: true }, category) : value,
        series: data.series.map(function (s) {
          return { name: s.name, type: "bar", data: s.data, barMaxWidth: 28 };
        })
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.setAttribute("data-drawn", "true");
    });
  }

  function start() {
    document.querySelectorAll("form[data-intake]").forEach(followCategory);
    document.querySelectorAll("input[data-picker=topic]").forEach(topicHint);
    drawCharts();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
