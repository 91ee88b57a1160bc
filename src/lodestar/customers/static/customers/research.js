// Select words in a research note to quote them in the highlight form, which turns them into
// feedback. (Without this script the quote is typed or pasted; the server checks it either way.)
(() => {
  "use strict";
  const body = document.querySelector("[data-note-body]");
  const field = document.getElementById("highlight-quote");
  if (!body || !field) return;
  const take = () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    // Both ends inside the note: a drag that strays into the page around it is not a quote.
    if (!body.contains(range.startContainer) || !body.contains(range.endContainer)) return;
    const text = selection.toString().replace(/\s+/g, " ").trim();
    if (!text) return;
    field.value = text;
    field.classList.add("just-filled");
    setTimeout(() => field.classList.remove("just-filled"), 800);
  };
  body.addEventListener("mouseup", take);
  body.addEventListener("keyup", take);
})();
