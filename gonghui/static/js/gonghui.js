// The shell's one script: every list's cells learn their column's heading (data-label), so
// that below 600 px, where lists become cards, each value is shown under its name. Runs on
// load and again on every part of a page htmx swaps in.
(function () {
  "use strict";

  function label(root) {
    root.querySelectorAll("table.table").forEach(function (table) {
      var heads = [];
      table.querySelectorAll("thead tr:first-child th").forEach(function (th) {
        var span = Number(th.getAttribute("colspan")) || 1;
        for (var i = 0; i < span; i++) heads.push(th.textContent.trim());
      });
      if (!heads.length) return;
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.children, function (cell) {
          var text = heads[col];
          if (cell.tagName === "TD" && text && !cell.hasAttribute("data-label") &&
              !cell.classList.contains("empty")) {
            cell.setAttribute("data-label", text);
          }
          col += Number(cell.getAttribute("colspan")) || 1;
        });
      });
    });
  }

  function ready() { label(document); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  document.addEventListener("htmx:afterSwap", ready);
})();
