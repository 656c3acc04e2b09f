// Small reading aids of the portal's pages.
// 1. Filters leave no empty parameters in the address bar ("?q=&status=&date_from=" becomes
// nothing at all): a GET request sends only the fields that have a value. Progressive
// enhancement: without JavaScript the server reads empty fields as "no filter" anyway.
(function () {
  "use strict";

  function isEmpty(value) {
    return typeof value === "string" && value.trim() === "";
  }

  // HTMX requests (a filter changed, a page or sort link): drop the empty values before htmx
  // builds the URL it requests and pushes into the history.
  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    if (event.detail.verb !== "get" || !data || typeof data.getAll !== "function") return;
    var names = [];
    data.forEach(function (_value, name) {
      if (names.indexOf(name) < 0) names.push(name);
    });
    names.forEach(function (name) {
      var values = data.getAll(name);
      var kept = values.filter(function (value) { return !isEmpty(value); });
      if (kept.length === values.length) return;
      data.delete(name);
      kept.forEach(function (value) { data.append(name, value); });
    });
  });

  // A plain submit of a GET form (htmx not loaded, or a form without hx-get): the empty fields
  // are disabled for the moment of the submit, so the browser leaves them out of the URL.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "get") return;
    var emptied = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled || field.type === "submit" || field.type === "button") return;
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return;
      if (isEmpty(field.value)) {
        field.disabled = true;
        emptied.push(field);
      }
    });
    // Enabled again right after the browser has read the form (and on a page restored by Back).
    setTimeout(function () {
      emptied.forEach(function (field) { field.disabled = false; });
    }, 0);
  });

  // 2. A tab strip that scrolls sideways starts with the current tab in view.
  function showCurrentTabs() {
    document.querySelectorAll(".ebok-tabs .nav-link.active").forEach(function (tab) {
      var strip = tab.closest(".ebok-tabs");
      if (!strip || strip.scrollWidth <= strip.clientWidth) return;
      var tabBox = tab.getBoundingClientRect();
      var stripBox = strip.getBoundingClientRect();
      strip.scrollLeft += tabBox.left - stripBox.left - (strip.clientWidth - tabBox.width) / 2;
    });
  }
  document.addEventListener("DOMContentLoaded", showCurrentTabs);
  window.addEventListener("load", showCurrentTabs);  // the icon font has widened the tabs by now
  document.addEventListener("htmx:afterSettle", showCurrentTabs);

  // 3. A table wider than its frame scrolls inside it; a keyboard user must be able to reach
  // and scroll it too (WCAG 2.1.1), so such a frame becomes a named, focusable region. A frame
  // that fits stays out of the tab order.
  function focusableScrollers() {
    document.querySelectorAll(".table-responsive").forEach(function (frame) {
      if (frame.scrollWidth > frame.clientWidth + 1) {
        var caption = frame.querySelector("caption");
        frame.setAttribute("tabindex", "0");
        frame.setAttribute("role", "region");
        if (caption && !frame.hasAttribute("aria-label")) {
          frame.setAttribute("aria-label", caption.textContent.trim());
        }
      } else if (frame.getAttribute("tabindex") === "0") {
        frame.removeAttribute("tabindex");
        frame.removeAttribute("role");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", focusableScrollers);
  window.addEventListener("load", focusableScrollers);
  window.addEventListener("resize", focusableScrollers);
  document.addEventListener("htmx:afterSettle", focusableScrollers);
})();
