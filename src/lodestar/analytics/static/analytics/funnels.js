// The funnel page runs its form through htmx (hx-get, with a progress indicator) and swaps
// the result in: draw the new chart once it has settled.
(() => {
  "use strict";
  document.addEventListener("htmx:afterSettle", (event) => {
    if (!window.LodestarCharts) return;
    for (const element of event.target.querySelectorAll("[data-chart]")) {
      const figure = window.LodestarCharts.figureOf(element);
      if (figure) window.LodestarCharts.draw(element, figure);
    }
  });
})();
