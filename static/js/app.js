/* Caseworker pages: drafts that survive an expired session, the agency combobox,
   and small keyboard helpers. No dependencies besides htmx (loaded by base.html). */
(function () {
  "use strict";

  // Drafts -------------------------------------------------------------------------
  // A form with data-draft="<key>" is saved to localStorage as the user types, keyed by
  // the user's id, and restored when the same form is shown again empty (e.g. after
  // logging back in). The page the save redirects to carries ?saved=<key>, which clears
  // the draft. Drafts expire after a day and are removed on logout.
  var PREFIX = "cw-draft:";
  var MAX_AGE_MS = 24 * 3600 * 1000;
  var SKIP = { csrfmiddlewaretoken: true, submission: true };  // never restored from a draft

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function draftKey(form) {
    return PREFIX + form.dataset.draftOwner + ":" + form.dataset.draft;
  }

  function eachField(form, fn) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "file" || el.type === "password" ||
          el.type === "submit" || el.type === "button") { return; }
      fn(el);
    });
  }

  function serialize(form) {
    var fields = {};
    eachField(form, function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { (fields[el.name] = fields[el.name] || []).push(el.value); }
        else if (!(el.name in fields)) { fields[el.name] = []; }
      } else {
        fields[el.name] = el.value;
      }
    });
    return fields;
  }

  function hasContent(fields, form) {
    var found = false;
    eachField(form, function (el) {
      var value = fields[el.name];
      if (el.type === "hidden" || el.tagName === "SELECT" || el.type === "date" ||
          el.type === "checkbox" || el.type === "radio") { return; }
      if (typeof value === "string" && value.trim() && value !== el.defaultValue) { found = true; }
    });
    return found;
  }

  function restore(form, fields) {
    eachField(form, function (el) {
      if (!(el.name in fields)) { return; }
      var value = fields[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else if (typeof value === "string") {
        el.value = value;
      }
    });
    // Show restored text that sits in a closed section.
    form.querySelectorAll("details").forEach(function (section) {
      var filled = Array.prototype.some.call(
        section.querySelectorAll("input[type=text], input[type=date], textarea"),
        function (el) { return el.value && el.value !== el.defaultValue; });
      if (filled) { section.open = true; }
    });
    // Let htmx refresh what depends on the restored values (duplicates, agency badges).
    form.querySelectorAll("[data-picker]").forEach(function (picker) {
      picker.dispatchEvent(new CustomEvent("picked", { bubbles: true }));
    });
    var first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.dispatchEvent(new Event("change", { bubbles: true })); }
  }

  function pruneDrafts(store) {
    var now = Date.now();
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (!key || key.indexOf(PREFIX) !== 0) { continue; }
      try {
        var data = JSON.parse(store.getItem(key));
        if (!data || now - data.saved > MAX_AGE_MS) { store.removeItem(key); }
      } catch (e) { store.removeItem(key); }
    }
  }

  function clearDrafts(store, suffix) {
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0 && (!suffix || key.slice(-suffix.length - 1) === ":" + suffix)) {
        store.removeItem(key);
      }
    }
  }

  function timeText(ms) {
    var d = new Date(ms);
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function setupDraft(form, store) {
    var key = draftKey(form);
    var status = form.querySelector("[data-draft-status]");
    var timer = null;
    function say(text) { if (status) { status.textContent = text; } }

    var saved = null;
    try { saved = JSON.parse(store.getItem(key)); } catch (e) { saved = null; }
    if (saved && form.dataset.bound === "0") {
      restore(form, saved.fields);
      say("Restored the draft you were typing at " + timeText(saved.saved) + ". Check it, then save.");
      form.classList.add("draft-restored");
    }

    function save() {
      var fields = serialize(form);
      if (!hasContent(fields, form)) { return; }
      try {
        store.setItem(key, JSON.stringify({ saved: Date.now(), fields: fields }));
        say("Draft kept in this browser at " + timeText(Date.now()) + ".");
      } catch (e) { say("This browser cannot keep a draft (storage full or disabled)."); }
    }
    function later(ms) {
      clearTimeout(timer);
      timer = setTimeout(function () { timer = null; save(); }, ms);
    }
    form.addEventListener("input", function () { later(400); });
    form.addEventListener("change", function () { later(100); });
    // Save at once on submit: if the session expired, the draft is what survives the login.
    form.addEventListener("submit", save);
    // Leaving the page (another form on it sent, a link) within the pause after a keystroke:
    // keep what was typed, not what was typed 400 ms earlier.
    window.addEventListener("pagehide", function () {
      if (timer) { clearTimeout(timer); timer = null; save(); }
    });

    var discard = form.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        if (!window.confirm("Discard this draft and clear the form?")) { return; }
        store.removeItem(key);
        window.location.href = window.location.pathname;
      });
    }
  }

  function setupDrafts() {
    var store = storage();
    if (!store) { return; }
    pruneDrafts(store);
    var params = new URLSearchParams(window.location.search);
    var done = params.get("saved");
    if (done) {
      clearDrafts(store, done);
      params.delete("saved");
      var query = params.toString();
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    }
    document.querySelectorAll("form[data-draft]").forEach(function (form) { setupDraft(form, store); });
    var logout = document.querySelector("form.logout");
    if (logout) { logout.addEventListener("submit", function () { clearDrafts(store); }); }
  }

  // Agency combobox ------------------------------------------------------------------
  // The text input fetches options with htmx; this code handles choosing one with the
  // keyboard or the mouse (ARIA combobox pattern), fills the hidden id, and fires
  // "picked" so the badges below refresh for the event date.

  function pickerParts(picker) {
    return {
      input: picker.querySelector("[data-picker-input]"),
      list: picker.querySelector("[data-picker-list]"),
      hidden: picker.querySelector("[data-picker-id]"),
      unlisted: picker.querySelector("input[type=checkbox][name$=_unlisted]"),
    };
  }

  function options(list) { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }

  function openList(parts) {
    parts.list.hidden = false;
    parts.input.setAttribute("aria-expanded", "true");
  }

  function closeList(parts) {
    parts.list.hidden = true;
    parts.input.setAttribute("aria-expanded", "false");
    parts.input.removeAttribute("aria-activedescendant");
  }

  function highlight(parts, index) {
    var opts = options(parts.list);
    if (!opts.length) { return; }
    index = (index + opts.length) % opts.length;
    opts.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
    parts.input.setAttribute("aria-activedescendant", opts[index].id);
    opts[index].scrollIntoView({ block: "nearest" });
  }

  function current(parts) {
    var opts = options(parts.list);
    for (var i = 0; i < opts.length; i++) { if (opts[i].getAttribute("aria-selected") === "true") { return i; } }
    return -1;
  }

  function choose(picker, option) {
    var parts = pickerParts(picker);
    if (option.dataset.unlisted) {
      parts.hidden.value = "";
      if (parts.unlisted) { parts.unlisted.checked = true; }
    } else {
      parts.hidden.value = option.dataset.value;
      parts.input.value = option.dataset.label;
      parts.input.dataset.chosen = option.dataset.label;
      if (parts.unlisted) { parts.unlisted.checked = false; }
    }
    closeList(parts);
    picker.dispatchEvent(new CustomEvent("picked", { bubbles: true }));
    parts.input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function setupPickers() {
    document.addEventListener("keydown", function (event) {
      var input = event.target.closest && event.target.closest("[data-picker-input]");
      if (!input) { return; }
      var picker = input.closest("[data-picker]");
      var parts = pickerParts(picker);
      var open = !parts.list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!open && options(parts.list).length) { openList(parts); }
        highlight(parts, current(parts) + (event.key === "ArrowDown" ? 1 : -1));
        event.preventDefault();
      } else if (event.key === "Enter" && open) {
        var index = current(parts);
        var opts = options(parts.list);
        if (index >= 0 && opts[index]) { choose(picker, opts[index]); }
        event.preventDefault(); // never submit the form from an open list
      } else if (event.key === "Escape" && open) {
        closeList(parts);
        event.preventDefault();
      }
    });
    document.addEventListener("input", function (event) {
      var input = event.target.closest && event.target.closest("[data-picker-input]");
      if (!input) { return; }
      var parts = pickerParts(input.closest("[data-picker]"));
      if (parts.hidden.value && input.value !== input.dataset.chosen) {
        // The text no longer names the chosen agency: forget the choice and its badges.
        parts.hidden.value = "";
        input.closest("[data-picker]").dispatchEvent(new CustomEvent("picked", { bubbles: true }));
      }
    });
    document.addEventListener("mousedown", function (event) {
      var option = event.target.closest && event.target.closest("[data-picker-list] [role=option]");
      if (!option || option.getAttribute("aria-disabled")) { return; }
      event.preventDefault(); // keep focus in the input
      choose(option.closest("[data-picker]"), option);
    });
    document.addEventListener("focusout", function (event) {
      var input = event.target.closest && event.target.closest("[data-picker-input]");
      if (!input) { return; }
      var parts = pickerParts(input.closest("[data-picker]"));
      setTimeout(function () { closeList(parts); }, 150);
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var list = event.detail.target;
      if (!list.matches || !list.matches("[data-picker-list]")) { return; }
      var picker = list.closest("[data-picker]");
      var parts = pickerParts(picker);
      if (document.activeElement === parts.input && list.children.length) { openList(parts); }
      else { closeList(parts); }
    });
    document.querySelectorAll("[data-picker-input]").forEach(function (input) {
      var parts = pickerParts(input.closest("[data-picker]"));
      if (parts.hidden.value) { input.dataset.chosen = input.value; }
    });
  }

  // Small helpers ---------------------------------------------------------------------

  function setupIntake() {
    // Typing detention details ticks "log the detention now" (the server also does).
    var section = document.querySelector("[data-event-section]");
    if (!section) { return; }
    var tick = section.querySelector("input[name=log_event]");
    section.addEventListener("input", function (event) {
      if (tick && event.target !== tick && event.target.value) { tick.checked = true; }
    });
  }

  function setupKeyboard() {
    // Ctrl/Cmd+Enter in a text area submits its form: no reaching for the mouse mid-call.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.form &&
          event.target.tagName === "TEXTAREA") {
        event.preventDefault();
        event.target.form.requestSubmit();
      }
    });
    // After a save that needs attention, put the keyboard where the question is.
    var summary = document.querySelector("[data-error-summary]") ||
      document.querySelector("form[data-bound='1'] [data-duplicates]");
    if (summary) { summary.focus(); }
  }

  // Phone layout -----------------------------------------------------------------------
  // Under 800 px the header's menu and the case list's filters fold behind buttons. The
  // buttons are hidden in the HTML, so without this script everything simply shows.

  function setupFold(button, root, openClass, jsClass) {
    button.hidden = false;
    root.classList.add(jsClass);
    button.addEventListener("click", function () {
      var open = !root.classList.contains(openClass);
      root.classList.toggle(openClass, open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        var first = document.getElementById(button.getAttribute("aria-controls"))
          .querySelector("a, input:not([type=hidden]), select, button");
        if (first) { first.focus(); }
      }
    });
  }

  function activeFilters(form) {
    // Distinct filters with a value (the sort order is not a filter).
    var names = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "ordering" || SKIP[el.name] || el.form !== form || el.type === "submit") { return; }
      if ((el.type === "checkbox" || el.type === "radio") ? el.checked : el.value.trim()) { names[el.name] = true; }
    });
    return Object.keys(names).length;
  }

  function setupPhone() {
    var menuButton = document.querySelector("[data-menu-toggle]");
    if (menuButton) { setupFold(menuButton, menuButton.closest(".topbar"), "menu-open", "js-menu"); }
    var filterButton = document.querySelector("[data-filter-toggle]");
    var form = document.getElementById("filters");
    if (filterButton && form) {
      setupFold(filterButton, filterButton.closest(".search-layout"), "filters-open", "js-filters");
      var counter = filterButton.querySelector("[data-filter-count]");
      var update = function () {
        var n = activeFilters(form);
        counter.textContent = n ? String(n) : "";
        filterButton.setAttribute("aria-label", "Filters, " + (n ? n + " active" : "none active"));
      };
      update();
      form.addEventListener("change", update);
      form.addEventListener("input", update);
    }
    // Only the result count is announced when the results change.
    var status = document.getElementById("results-status");
    if (status) {
      document.body.addEventListener("htmx:afterSwap", function (event) {
        if (event.detail.target.id !== "results") { return; }
        var count = event.detail.target.querySelector("[data-result-count]");
        status.textContent = count ? count.textContent.trim() : "";
      });
    }
    // A table wider than a phone scrolls inside itself; keyboard users need to be able to
    // focus it to scroll it (WCAG 2.1.1).
    var markScrollers = function () {
      document.querySelectorAll("main table, main .table-wrap").forEach(function (el) {
        if (el.scrollWidth > el.clientWidth + 1) { el.setAttribute("tabindex", "0"); }
        else if (el.getAttribute("tabindex") === "0") { el.removeAttribute("tabindex"); }
      });
    };
    markScrollers();
    window.addEventListener("resize", markScrollers);
    document.body.addEventListener("htmx:afterSettle", markScrollers);
    // Forms that only group inputs for htmx (e.g. the agency finder) never submit.
    document.querySelectorAll("form[data-no-submit]").forEach(function (f) {
      f.addEventListener("submit", function (event) { event.preventDefault(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupDrafts();
    setupPickers();
    setupIntake();
    setupKeyboard();
    setupPhone();
  });
})();
