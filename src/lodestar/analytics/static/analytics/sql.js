// The SQL console: Ctrl+Enter (Cmd+Enter) runs the statement; changing the chart's
// columns or type re-runs it with them (the form works without this script too).
(() => {
  "use strict";
  const form = document.getElementById("sql-form");
  if (!form) return;
  const text = document.getElementById("sql-text");
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  for (const select of form.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => form.requestSubmit());
  }
})();
