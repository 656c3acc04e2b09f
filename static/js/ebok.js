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
})();
