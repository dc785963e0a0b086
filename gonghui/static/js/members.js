/* Member roster: a whole ID number or mobile typed in the live search box is never sent in
   an address (access logs keep addresses). The live search (GET) takes names, pinyin and the
   last 4 characters; a longer run of digits is not sent, and a whole number goes to the
   look-up form, which posts it (audited and rate-limited on the server). */
(function () {
  "use strict";

  var FULL = /^(\d{17}[\dX]|\d{15}|1[3-9]\d{9})$/;
  var LONG_DIGITS = /^\d{5,}X?$/;

  function normalise(value) {
    return (value || "")
      .replace(/[\uFF10-\uFF19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/[xｘＸ]/g, "X")
      .replace(/\s+/g, "");
  }

  function toLookup(value) {
    var form = document.querySelector("[data-testid=lookup-form]");
    if (!form) return;
    var box = form.querySelector("[name=q]");
    var details = form.closest("details");
    if (details) details.open = true;
    box.value = value;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  // htmx is about to send the live search: keep long digit runs out of the address.
  document.addEventListener("htmx:configRequest", function (event) {
    var params = event.detail.parameters;
    var q = params && (params.get ? params.get("q") : params.q);
    if (q === undefined || q === null) return;
    var key = normalise(String(q));
    if (LONG_DIGITS.test(key)) {
      event.preventDefault();
      var search = document.querySelector("form[role=search] [name=q]");
      if (search) search.setCustomValidity("");
      if (FULL.test(key) && event.detail.triggeringEvent && event.detail.triggeringEvent.type === "submit") {
        if (search) search.value = "";
        toLookup(key);
      }
    }
  });

  // Without htmx (or before it loads): the same rule for a plain submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[role=search]")) return;
    var box = form.querySelector("[name=q]");
    var key = normalise(box && box.value);
    if (!LONG_DIGITS.test(key)) return;
    event.preventDefault();
    box.value = "";
    if (FULL.test(key)) toLookup(key);
  }, true);
})();
