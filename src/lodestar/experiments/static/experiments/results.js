// The experiment page: a form marked data-busy-form (Refresh) shows that it is working
// while the server computes, and cannot be sent twice.
(() => {
  "use strict";
  for (const form of document.querySelectorAll("form[data-busy-form]")) {
    form.addEventListener("submit", () => {
      const button = form.querySelector("button[data-busy-text]");
      if (!button) return;
      form.setAttribute("aria-busy", "true");
      button.textContent = button.dataset.busyText;
      // Disabled after the submit has started, so the form still goes.
      window.setTimeout(() => { button.disabled = true; }, 0);
    });
  }
})();
