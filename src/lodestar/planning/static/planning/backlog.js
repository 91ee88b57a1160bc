// The backlog's own script (no library, nothing inline: the CSP allows neither).
// - Rank by drag and drop: press a row's handle, move, release. The row moves in the table
//   as the pointer goes; on release the story's key and its new neighbours (`after`: the
//   story now above it, `before`: the one below) are posted to the rank endpoint. A refused
//   move puts the row back.
// - The Up / Down / Top buttons post their form without JS; with it the same request goes by
//   fetch, the row moves in place and keeps the focus.
// - The acceptance criteria's Save buttons are hidden (htmx posts on change).
(() => {
  "use strict";
  document.documentElement.classList.add("js");
  // The feature page links to #add-story: open that form.
  const add = document.getElementById("add-story");
  if (add && window.location.hash === "#add-story") add.open = true;

  const table = document.querySelector("table.backlog[data-rank-url]");
  if (!table) return;
  const url = table.dataset.rankUrl;
  const body = table.tBodies[0];
  const status = document.getElementById("rank-status");

  function csrf() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function announce(text) {
    if (status) status.textContent = text;
  }

  function post(data) {
    const form = new FormData();
    Object.entries(data).forEach(([k, v]) => { if (v) form.append(k, v); });
    return fetch(url, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
    }).then((response) => {
      if (!response.ok) {
        return response.text().then(() => { throw new Error(`The move was refused (${response.status}).`); });
      }
      return response.json();
    });
  }

  function title(row) {
    const link = row.querySelector("td a");
    return link ? link.textContent : "The story";
  }

  // -- drag and drop (pointer events: mouse, pen and touch alike) --------------------------
  let drag = null;

  body.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest(".rank-handle");
    if (!handle || event.button !== 0) return;
    const row = handle.closest("tr");
    event.preventDefault();
    drag = { row, next: row.nextElementSibling, moved: false };
    row.classList.add("dragging");
    document.body.classList.add("backlog-dragging");
    handle.setPointerCapture(event.pointerId);
  });

  body.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const rows = Array.from(body.rows).filter((r) => r !== drag.row);
    for (const row of rows) {
      const box = row.getBoundingClientRect();
      if (event.clientY >= box.top && event.clientY <= box.bottom) {
        const below = event.clientY > box.top + box.height / 2;
        const target = below ? row.nextElementSibling : row;
        if (target !== drag.row && target !== drag.row.nextElementSibling) {
          body.insertBefore(drag.row, target);
          drag.moved = true;
        }
        break;
      }
    }
  });

  function finish() {
    if (!drag) return;
    const { row, next, moved } = drag;
    drag = null;
    row.classList.remove("dragging");
    document.body.classList.remove("backlog-dragging");
    if (!moved || row.nextElementSibling === next) return;
    const above = row.previousElementSibling;
    const below = row.nextElementSibling;
    post({
      story: row.dataset.story,
      after: above ? above.dataset.story : "",
      before: below ? below.dataset.story : "",
    }).then(() => {
      announce(`${title(row)} moved.`);
    }).catch((error) => {
      body.insertBefore(row, next);
      announce(error.message);
    });
  }

  body.addEventListener("pointerup", finish);
  body.addEventListener("pointercancel", finish);

  // -- the keyboard buttons ----------------------------------------------------------------
  table.addEventListener("submit", (event) => {
    const form = event.target.closest("form.rank-buttons");
    if (!form) return;
    event.preventDefault();
    const button = event.submitter;
    const move = button ? button.value : "";
    const row = form.closest("tr");
    const data = Object.fromEntries(new FormData(form).entries());
    data.move = move;
    post(data).then(() => {
      // Past this page's edge (an earlier or a later page): reload to show where it went.
      const earlier = move === "up" && !row.previousElementSibling && new URLSearchParams(window.location.search).has("cursor");
      const later = move === "down" && !row.nextElementSibling && document.querySelector(".pager");
      if (earlier || later) {
        window.location.reload();
        return;
      }
      if (move === "up" && row.previousElementSibling) {
        body.insertBefore(row, row.previousElementSibling);
      } else if (move === "down" && row.nextElementSibling) {
        body.insertBefore(row.nextElementSibling, row);
      } else if (move === "top") {
        body.insertBefore(row, body.firstElementChild);
      }
      if (button) button.focus();
      announce(`${title(row)} moved ${move === "top" ? "to the top" : move}.`);
    }).catch((error) => announce(error.message));
  });
})();
