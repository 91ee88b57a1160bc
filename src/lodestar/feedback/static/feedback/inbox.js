// Keyboard triage in the feedback inbox. The keys are listed in the page's "Keyboard
// shortcuts" panel (inbox.html). Triage keys press the bulk form's own buttons, so they
// only work where those buttons are rendered: for triagers, on tabs that offer the action.
(() => {
  "use strict";
  const KEPT = "lodestar.inbox.cursor"; // the cursor's place, kept across a triage reload
  let kept = null;
  try {
    kept = sessionStorage.getItem(KEPT);
    sessionStorage.removeItem(KEPT);
  } catch {
    // no storage: the cursor starts afresh
  }
  const TYPING = "textarea, select, [contenteditable], input:not([type=checkbox]):not([type=radio])";
  const search = document.querySelector("[data-inbox-search]");

  // "/" jumps to the search box, on every tab, even an empty one.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || !search || event.defaultPrevented || event.isComposing) return;
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest(TYPING)) return;
    event.preventDefault();
    search.focus();
    search.select();
  });

  const list = document.querySelector("[data-inbox-list]");
  if (!list) return;
  const form = list.closest("form");
  const help = document.getElementById("inbox-keys");
  const items = () => [...list.querySelectorAll(".feedback-item")];
  let current = null;

  function mark(item) {
    if (current === item) return;
    current?.removeAttribute("aria-current");
    current = item;
    item.setAttribute("aria-current", "true");
  }

  function move(index) {
    const all = items();
    if (!all.length) return;
    mark(all[Math.max(0, Math.min(all.length - 1, index))]);
    // Focus the link so screen readers announce the item; then scroll only as needed.
    current.querySelector("a")?.focus({ preventScroll: true });
    current.scrollIntoView({ block: "nearest" });
  }

  function triage(action) {
    const button = form?.querySelector(`button[name="action"][value="${action}"]`);
    if (!button) return false;
    if (!form.querySelector('input[name="keys"]:checked')) {
      const box = current?.querySelector('input[name="keys"]');
      if (!box) return false;
      box.checked = true;
    }
    if (current) {
      try {
        sessionStorage.setItem(KEPT, String(items().indexOf(current)));
      } catch {
        // storage refused: the cursor starts afresh after the reload
      }
    }
    form.requestSubmit(button);
    return true;
  }

  function open() {
    const link = current?.querySelector("a");
    if (!link) return false;
    location.assign(link.href);
    return true;
  }

  function link() {
    // Open the current feedback at its "link to a feature" form (only linkers have one).
    const anchor = current?.querySelector("a");
    if (!anchor || list.dataset.canLink !== "true") return false;
    location.assign(`${anchor.href}#link`);
    return true;
  }

  function toggleHelp() {
    if (!help) return false;
    help.open = !help.open;
    if (help.open) help.querySelector("summary").focus();
    return true;
  }

  const KEYS = {
    j: () => move(current ? items().indexOf(current) + 1 : 0),
    k: () => move(current ? items().indexOf(current) - 1 : 0),
    x: () => {
      const box = current?.querySelector('input[name="keys"]');
      if (box) box.checked = !box.checked;
      return Boolean(box);
    },
    e: () => triage("archive"),
    l: () => link(),
    p: () => triage("process"),
    o: open,
    Enter: open,
    "?": toggleHelp,
  };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const handler = KEYS[event.key];
    const target = event.target instanceof Element ? event.target : null;
    if (!handler || target?.closest(TYPING)) return;
    // Enter on a link, button or summary keeps its own meaning.
    if (event.key === "Enter" && target?.closest("a, button, summary, label, input")) return;
    if (handler() !== false) event.preventDefault();
  });

  // Tabbing or clicking into an item makes it the current one too.
  list.addEventListener("focusin", (event) => {
    const item = event.target.closest(".feedback-item");
    if (item) mark(item);
  });

  if (kept !== null) move(Number(kept));
})();
