// The roadmap board: drag a card to another column, or to another place in its column.
// A drop fills the board's hidden move form (feature, its version, the target column and
// the cards it lands between) and submits it through htmx, which swaps the two columns
// the server sends back. The card is not moved here: if the server refuses (the role may
// not change that column, someone else changed the feature) it stays where it was and the
// message appears in the page's alert region. Each card's "Move to" form does the same
// from the keyboard, and without JavaScript as a plain form.
(() => {
  "use strict";
  const wrap = document.getElementById("board-wrap");
  if (!wrap || !wrap.dataset.editable) return;
  const form = document.getElementById("board-drop");
  const alertRegion = () => document.getElementById("board-alert");
  let dragged = null;
  let marker = null;

  const cardsOf = (list) =>
    Array.from(list.querySelectorAll(":scope > .board-card")).filter((c) => c !== dragged);

  const listAt = (target) => {
    const column = target instanceof Element ? target.closest(".board-col") : null;
    return column ? column.querySelector(".board-cards") : null;
  };

  // The cards the dropped one lands between, from the pointer's height.
  const placeIn = (list, y) => {
    const cards = cardsOf(list);
    const below = cards.find((c) => {
      const box = c.getBoundingClientRect();
      return y < box.top + box.height / 2;
    });
    const index = below ? cards.indexOf(below) : cards.length;
    return { after: index > 0 ? cards[index - 1] : null, before: below || null };
  };

  const clearMarks = () => {
    if (marker) marker.remove();
    marker = null;
    wrap.querySelectorAll(".is-drop-target").forEach((el) => el.classList.remove("is-drop-target"));
  };

  wrap.addEventListener("dragstart", (event) => {
    const card = event.target instanceof Element ? event.target.closest(".board-card[draggable]") : null;
    if (!card) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.key);
  });

  wrap.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    clearMarks();
  });

  wrap.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const list = listAt(event.target);
    if (!list) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    const column = list.closest(".board-col");
    if (!column.classList.contains("is-drop-target")) {
      clearMarks();
      column.classList.add("is-drop-target");
    }
    if (!marker) {
      marker = document.createElement("li");
      marker.className = "board-drop-marker";
      marker.setAttribute("aria-hidden", "true");
    }
    const { before } = placeIn(list, event.clientY);
    if (before) list.insertBefore(marker, before);
    else list.appendChild(marker);
  });

  wrap.addEventListener("drop", (event) => {
    if (!dragged) return;
    const list = listAt(event.target);
    if (!list) return;
    event.preventDefault();
    const card = dragged;
    const { after, before } = placeIn(list, event.clientY);
    const column = list.dataset.column;
    const fromList = card.parentElement;
    clearMarks();
    // Dropped where it already was: nothing to save.
    if (fromList === list) {
      const siblings = Array.from(list.querySelectorAll(":scope > .board-card"));
      const at = siblings.indexOf(card);
      if ((siblings[at - 1] || null) === after && (siblings[at + 1] || null) === before) return;
    }
    form.elements.feature.value = card.dataset.key;
    form.elements.version.value = card.dataset.version;
    form.elements.column.value = column;
    form.elements.after.value = after ? after.dataset.key : "";
    form.elements.before.value = before ? before.dataset.key : "";
    card.classList.add("is-moving");
    form.requestSubmit();
  });

  // A refused move (4xx) carries its message: show it in the alert region instead of
  // dropping it, and put back the card's look.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!source || !wrap.contains(source)) return;
    const status = event.detail.xhr.status;
    if (status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      event.detail.target = alertRegion();
    }
  });

  document.body.addEventListener("htmx:afterRequest", () => {
    wrap.querySelectorAll(".is-moving").forEach((el) => el.classList.remove("is-moving"));
  });

  // After a move, keep the keyboard on the moved card.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const moved = event.detail.target && event.detail.target.querySelector("[data-moved]");
    if (!moved) return;
    const link = document.querySelector(`#card-${CSS.escape(moved.dataset.moved)} .board-card-title a`);
    if (link) link.focus();
  });
})();
