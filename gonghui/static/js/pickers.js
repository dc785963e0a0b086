/* Pickers (core.pickers): a text box that finds an org, enterprise, member, topic or user by
   name, short name, pinyin or initials. Without this file the box is a plain input with a
   <datalist> and the server resolves what is typed; with it the box becomes an ARIA 1.2
   combobox whose list is asked of /pick/<kind>/?q= as one types. Arrow keys move, Enter or a
   tap chooses, Escape closes; the chosen option's text goes into the box. */
(function () {
  "use strict";
  var seq = 0;

  function fromDatalist(list) {
    var items = [];
    if (!list) return items;
    list.querySelectorAll("option").forEach(function (o) {
      items.push({
        value: o.getAttribute("data-value") || o.value,
        label: o.getAttribute("data-label") || o.value,
        detail: o.getAttribute("data-detail") || "",
        text: o.value
      });
    });
    return items;
  }

  function enhance(input) {
    if (input.getAttribute("role") === "combobox") return;
    var id = "picker-" + (++seq);
    var datalist = document.getElementById(input.getAttribute("list"));
    var preset = fromDatalist(datalist);
    input.removeAttribute("list"); // our list replaces the browser's own
    var box = document.createElement("ul");
    box.id = id;
    box.className = "picker-list";
    box.setAttribute("role", "listbox");
    box.tabIndex = -1; // a scrolling list is not a Tab stop: Tab goes on to the next field
    box.hidden = true;
    input.insertAdjacentElement("afterend", box);
    input.parentElement.classList.add("picker");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      box.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function mark(i) {
      active = i;
      box.querySelectorAll("[role=option]").forEach(function (li, n) {
        li.setAttribute("aria-selected", n === i ? "true" : "false");
      });
      if (i >= 0) {
        input.setAttribute("aria-activedescendant", id + "-" + i);
        var li = document.getElementById(id + "-" + i);
        if (li && li.scrollIntoView) li.scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }

    function show(list) {
      items = list;
      box.textContent = "";
      list.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-value", item.value);
        var name = document.createElement("span");
        name.textContent = item.label;
        li.appendChild(name);
        if (item.detail) {
          var detail = document.createElement("small");
          detail.textContent = item.detail;
          li.appendChild(detail);
        }
        // mousedown, not click: the box keeps its focus
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(i); });
        box.appendChild(li);
      });
      if (!list.length) {
        close();
        return;
      }
      box.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark(-1);
    }

    function choose(i) {
      var item = items[i];
      if (!item) return;
      input.value = item.text;
      close();
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.setAttribute("data-chosen", item.value);
    }

    function ask() {
      var q = input.value.trim();
      if (!q && preset.length) { show(preset); return; }
      var mine = ++asked;
      var url = input.getAttribute("data-picker-url") + "?q=" + encodeURIComponent(q);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) {
          if (mine === asked && document.activeElement === input) show(data.items || []);
        })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function (ev) {
      if (!ev.isTrusted) return; // our own event after a choice
      input.removeAttribute("data-chosen");
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("focus", function () { if (!input.value) ask(); });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        if (box.hidden) { ask(); ev.preventDefault(); return; }
        var n = items.length;
        var next = ev.key === "ArrowDown" ? (active + 1) % n : (active - 1 + n) % n;
        mark(next);
        ev.preventDefault();
      } else if (ev.key === "Enter" && !box.hidden && active >= 0) {
        choose(active);
        ev.preventDefault(); // choosing is not submitting
      } else if (ev.key === "Escape" && !box.hidden) {
        close();
        ev.preventDefault();
      }
    });
  }

  function start(root) {
    (root || document).querySelectorAll("input[data-picker]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { start(); });
  } else start();
  // forms that htmx swaps in
  document.addEventListener("htmx:afterSwap", function (ev) { start(ev.target); });
})();
