// Sign-in helpers (progressive enhancement; the pages work without them, CSP-safe).
(function () {
  "use strict";

  // Masked password: typing a character moves to the next asked box, Backspace in an empty
  // box goes back, pasting several characters is refused (each box is one asked position).
  function maskedInputs(container) {
    return Array.prototype.slice.call(
      container.querySelectorAll("input.ebok-masked-input:not([disabled])")
    );
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("ebok-masked-input")) return;
    var container = input.closest("[data-masked-password]");
    if (!container) return;
    if (input.value.length > 1) input.value = input.value.slice(-1);
    if (input.value.length === 1) {
      var boxes = maskedInputs(container);
      var next = boxes[boxes.indexOf(input) + 1];
      if (next) {
        next.focus();
        next.select();
      } else {
        var form = input.form;
        var submit = form && form.querySelector('button[type="submit"]');
        if (submit) submit.focus();
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("ebok-masked-input")) return;
    var container = input.closest("[data-masked-password]");
    if (!container) return;
    var boxes = maskedInputs(container);
    var index = boxes.indexOf(input);
    if (event.key === "Backspace" && input.value === "" && index > 0) {
      event.preventDefault();
      boxes[index - 1].value = "";
      boxes[index - 1].focus();
    } else if (event.key === "ArrowLeft" && index > 0) {
      event.preventDefault();
      boxes[index - 1].focus();
    } else if (event.key === "ArrowRight" && index < boxes.length - 1) {
      event.preventDefault();
      boxes[index + 1].focus();
    }
  });

  document.addEventListener("paste", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.classList.contains("ebok-masked-input")) {
      event.preventDefault();
    }
  });

  // "Send the code again" waits for the cooldown: data-cooldown="<seconds>".
  function startCooldown(button) {
    var left = parseInt(button.getAttribute("data-cooldown") || "0", 10);
    var label = button.getAttribute("data-cooldown-label") || button.textContent;
    var waitText = button.getAttribute("data-cooldown-wait") || "%s s";
    if (!(left > 0)) return;
    button.disabled = true;
    function tick() {
      if (left <= 0) {
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.textContent = waitText.replace("%s", String(left));
      left -= 1;
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-cooldown]").forEach(startCooldown);
  });
})();
