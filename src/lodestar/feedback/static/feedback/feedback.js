// Select words in the feedback to make them the insight's snippet (the field stays editable,
// and without this script the snippet is typed or pasted).
(() => {
  "use strict";
  const quote = document.querySelector("[data-feedback-text]");
  const field = document.getElementById("insight-snippet");
  if (!quote || !field) return;
  const take = () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    if (!quote.contains(selection.getRangeAt(0).commonAncestorContainer)) return;
    const text = selection.toString().replace(/\s+/g, " ").trim();
    if (!text) return;
    field.value = text;
    field.classList.add("just-filled");
    setTimeout(() => field.classList.remove("just-filled"), 800);
  };
  quote.addEventListener("mouseup", take);
  quote.addEventListener("keyup", take);
  // Arriving with #link (the inbox's `l` key): straight to the feature field.
  // After load: the browser's own scroll to the fragment would otherwise take focus back.
  if (location.hash === "#link") {
    window.addEventListener("load", () => document.getElementById("insight-feature_title")?.focus());
  }
})();
