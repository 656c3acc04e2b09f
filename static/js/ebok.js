// eBOK client-side helpers (progressive enhancement only: every page works without them).
(function () {
  "use strict";

  // Selecting rows (e.g. invoices to download together). A "select all" checkbox carries
  // data-select-all="<name>"; row checkboxes carry that name; an element with
  // data-selected-count="<name>" shows how many are checked. Delegated, so it keeps working
  // after HTMX swaps the list.
  function rowBoxes(name) {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]')
    );
  }

  function refresh(name) {
    var boxes = rowBoxes(name);
    var checked = boxes.filter(function (box) { return box.checked; }).length;
    document.querySelectorAll('[data-select-all="' + name + '"]').forEach(function (all) {
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    });
    document.querySelectorAll('[data-selected-count="' + name + '"]').forEach(function (out) {
      out.textContent = String(checked);
    });
    document.querySelectorAll('[data-needs-selection="' + name + '"]').forEach(function (button) {
      button.disabled = checked === 0;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type !== "checkbox") return;
    var allFor = target.getAttribute("data-select-all");
    if (allFor) {
      rowBoxes(allFor).forEach(function (box) { box.checked = target.checked; });
      refresh(allFor);
    } else if (target.name && document.querySelector('[data-select-all="' + target.name + '"]')) {
      refresh(target.name);
    }
  });

  function refreshAll() {
    document.querySelectorAll("[data-select-all]").forEach(function (all) {
      refresh(all.getAttribute("data-select-all"));
    });
  }

  document.addEventListener("DOMContentLoaded", refreshAll);
  document.addEventListener("htmx:afterSettle", refreshAll);
  // Back: htmx puts the page back without a settle event; a page from the back-forward cache
  // keeps the boxes the browser restored. Either way the count and buttons follow the boxes.
  document.addEventListener("htmx:historyRestore", refreshAll);
  window.addEventListener("pageshow", refreshAll);

  // A part of the page the server works out from the ticked boxes (data-recheck-restored, e.g.
  // "pay the ticked" and the online payment limit) asks again when a box changes. Boxes the
  // browser ticks back on Back change without an event: ask once for them too, or the page
  // would offer what the ticked invoices do not allow.
  window.addEventListener("pageshow", function () {
    if (!window.htmx) return;
    document.querySelectorAll("[data-recheck-restored]").forEach(function (part) {
      var list = part.closest(".ebok-list");
      if (list && list.querySelector('input[type="checkbox"]:checked')) {
        window.htmx.trigger(list, "change");
      }
    });
  });
})();

// Dates typed the Polish way (DD.MM.RRRR) whatever the browser's language: the server renders
// a text field (ebok.forms.DateInput, data-date-picker="<the button's label>"); here it gets a
// calendar button that opens the browser's own date picker and writes the chosen day back as
// DD.MM.RRRR. Browsers without showPicker() keep the plain text field.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // "21.11.2026", "1/2/2026", "21112026" or "2026-11-21" -> "2026-11-21"; else "".
  function toIso(text) {
    var value = (text || "").trim();
    var m = /^(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4})$/.exec(value) ||
      /^(\d{2})(\d{2})(\d{4})$/.exec(value);
    var day, month, year;
    if (m) {
      day = +m[1]; month = +m[2]; year = +m[3];
    } else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value))) {
      year = +m[1]; month = +m[2]; day = +m[3];
    } else {
      return "";
    }
    var date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return "";
    return year + "-" + pad(month) + "-" + pad(day);
  }

  function enhance(input) {
    if (input.getAttribute("data-date-ready")) return;
    input.setAttribute("data-date-ready", "1");
    var group = document.createElement("div");
    // Small beside the lists' small filters, full size in a form (applications).
    var small = input.classList.contains("form-control-sm");
    group.className = "input-group ebok-date" + (small ? " input-group-sm" : "");
    input.parentNode.insertBefore(group, input);
    group.appendChild(input);

    var label = input.labels && input.labels.length ? input.labels[0].textContent.trim() : "";
    var name = input.getAttribute("data-date-picker") + (label ? ": " + label : "");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary ebok-date-button";
    button.setAttribute("aria-label", name);
    button.title = name;
    button.innerHTML = '<i class="bi bi-calendar3" aria-hidden="true"></i>';
    // The browser's picker needs a date input: an invisible one under the button, out of the
    // tab order and of the accessibility tree, without a name (never submitted).
    var picker = document.createElement("input");
    picker.type = "date";
    picker.className = "ebok-date-native";
    picker.tabIndex = -1;
    picker.setAttribute("aria-hidden", "true");
    picker.min = "2000-01-01";
    picker.max = "2100-12-31";
    group.appendChild(button);
    group.appendChild(picker);

    button.addEventListener("click", function () {
      picker.value = toIso(input.value);
      try {
        picker.showPicker();
      } catch (error) {
        input.focus();
      }
    });
    // The picker's own events stay here: the filter form reacts to the text field's change.
    picker.addEventListener("input", function (event) { event.stopPropagation(); });
    picker.addEventListener("change", function (event) {
      event.stopPropagation();
      var parts = picker.value.split("-");
      if (parts.length !== 3) return;
      input.value = parts[2] + "." + parts[1] + "." + parts[0];
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function enhanceAll(root) {
    if (!("showPicker" in HTMLInputElement.prototype) || !root.querySelectorAll) return;
    root.querySelectorAll("input[data-date-picker]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
})();

// Long checklists (a company's 1 000 contracts in the user form): a search box that hides the
// entries not matching every typed word, and buttons that tick or untick every entry shown.
// Server markup: a [data-choice-filter] box (hidden until this script shows it) whose
// aria-controls names the list; entries are .form-check blocks. Without JavaScript the list is
// a plain list of checkboxes.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ł/g, "l")
      .replace(/Ł/g, "l").toLowerCase();
  }

  function entries(tools) {
    var list = document.getElementById(tools.getAttribute("data-choice-filter"));
    return list ? Array.prototype.slice.call(list.querySelectorAll(".form-check")) : [];
  }

  // `counting`: only recount (a box was ticked): what is shown stays, focus is not lost.
  function apply(tools, counting) {
    var search = tools.querySelector("[data-choice-search]");
    var onlyChecked = tools.querySelector("[data-choice-only-checked]");
    var words = fold(search.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    var checked = 0;
    var all = entries(tools);
    all.forEach(function (entry) {
      var box = entry.querySelector("input[type=checkbox]");
      if (!entry.hasAttribute("data-choice-text")) {
        entry.setAttribute("data-choice-text", fold(entry.textContent));
      }
      var text = entry.getAttribute("data-choice-text");
      var visible = counting ? !entry.hidden :
        words.every(function (word) { return text.indexOf(word) !== -1; }) &&
        (!onlyChecked || !onlyChecked.checked || box.checked);
      entry.hidden = !visible;
      if (visible) shown += 1;
      if (box.checked) checked += 1;
    });
    var status = tools.querySelector("[data-choice-status]");
    status.textContent = status.getAttribute("data-template")
      .replace("{shown}", shown).replace("{total}", all.length).replace("{checked}", checked);
    tools.querySelectorAll("[data-choice-action]").forEach(function (button) {
      button.disabled = shown === 0;
    });
  }

  function setShown(tools, value) {
    entries(tools).forEach(function (entry) {
      if (!entry.hidden) entry.querySelector("input[type=checkbox]").checked = value;
    });
    apply(tools, true);
  }

  function init(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("[data-choice-filter]").forEach(function (tools) {
      if (tools.getAttribute("data-choice-ready")) return;
      tools.setAttribute("data-choice-ready", "1");
      var search = tools.querySelector("[data-choice-search]");
      search.addEventListener("input", function () { apply(tools); });
      search.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault();  // not a submit of the whole form
      });
      var onlyChecked = tools.querySelector("[data-choice-only-checked]");
      if (onlyChecked) onlyChecked.addEventListener("change", function () { apply(tools); });
      tools.querySelectorAll("[data-choice-action]").forEach(function (button) {
        button.addEventListener("click", function () {
          setShown(tools, button.getAttribute("data-choice-action") === "check");
        });
      });
      var list = document.getElementById(tools.getAttribute("data-choice-filter"));
      if (list) list.addEventListener("change", function () { apply(tools, true); });
      tools.hidden = false;
      apply(tools);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
