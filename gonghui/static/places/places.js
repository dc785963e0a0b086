// The places' pages: the map of Heze (the counties' computed outlines from the GeoJSON served
// by gonghui itself, the places as dots by kind, each linked to its page) and, on the
// member's search page, the "use my location" button that fills the form from the browser.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  var COLOURS = { station: "#1f6feb", palace: "#cf222e", workers_home: "#1a7f37", members_home: "#8250df" };

  function drawMap(el) {
    if (typeof window.echarts === "undefined") return;
    var points = JSON.parse(document.getElementById("place-points").textContent);
    var kinds = JSON.parse(document.getElementById("place-kinds").textContent);
    fetch(el.getAttribute("data-geojson"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        window.echarts.registerMap("heze", geojson);
        var chart = window.echarts.init(el, null, { renderer: "canvas" });
        var series = [{
          type: "map", map: "heze", geoIndex: 0, name: "counties", silent: true,
          data: geojson.features.map(function (f) { return { name: f.properties.name, value: 0 }; })
        }];
        Object.keys(kinds).forEach(function (kind) {
          series.push({
            type: "scatter", coordinateSystem: "geo", name: kinds[kind],
            symbolSize: function (v) { return 6 + (v[2] || 0); },
            itemStyle: { color: COLOURS[kind] || "#57606a" },
            data: points.filter(function (p) { return p.kind === kind; })
          });
        });
        chart.setOption({
          animation: false,
          tooltip: {
            trigger: "item",
            formatter: function (p) {
              if (!p.data || !p.data.kind_label) return p.name;
              var stars = p.data.value[2] ? "，" + p.data.value[2] + "★" : "";
              return p.data.name + "（" + p.data.kind_label + stars + "）";
            }
          },
          legend: { top: 0, data: Object.keys(kinds).map(function (k) { return kinds[k]; }) },
          geo: {
            map: "heze", roam: true, top: 40, bottom: 10,
            label: { show: true, color: "#57606a", fontSize: 11 },
            itemStyle: { areaColor: "#f6f8fa", borderColor: "#8c959f" },
            emphasis: { disabled: true }
          },
          series: series
        });
        chart.on("click", function (p) {
          if (p.data && p.data.id) window.location.href = "/places/" + p.data.id + "/";
        });
        window.addEventListener("resize", function () { chart.resize(); });
        el.setAttribute("data-drawn", String(points.length));
      });
  }

  function locate(button) {
    var form = document.getElementById("find-form");
    var note = document.getElementById("location-note");
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { note.hidden = false; return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
        form.querySelector("[name=lng]").value = pos.coords.longitude.toFixed(6);
        form.querySelector("[name=county]").value = "";
        form.submit();
      }, function () { note.hidden = false; }, { timeout: 10000, maximumAge: 60000 });
    });
  }

  onReady(function () {
    var el = document.getElementById("place-map");
    if (el) drawMap(el);
    var button = document.getElementById("use-location");
    if (button) locate(button);
  });
})();
