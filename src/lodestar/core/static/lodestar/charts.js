// Draws every chart on the page with Plotly (included by core/_plotly.html).
//
// A chart is an element with data-chart="ID", where ID is the id of a
// <script type="application/json"> element holding {"data": [...], "layout": {...},
// "config": {...}}: the page never runs inline script. Page scripts that add behaviour
// (clicks, a changed measure) listen for the "lodestar:chart" event, fired on the chart
// element once it is drawn, or call window.LodestarCharts.draw(element, figure) themselves.
(() => {
  "use strict";
  const BASE_CONFIG = { responsive: true, displaylogo: false, showLink: false };

  function figureOf(element) {
    const source = document.getElementById(element.dataset.chart);
    return source ? JSON.parse(source.textContent) : null;
  }

  function draw(element, figure) {
    const config = { ...BASE_CONFIG, ...(figure.config || {}) };
    return window.Plotly.react(element, figure.data || [], figure.layout || {}, config).then(() => {
      element.dispatchEvent(new CustomEvent("lodestar:chart", { detail: figure }));
      return element;
    });
  }

  function drawAll() {
    if (!window.Plotly) return;
    for (const element of document.querySelectorAll("[data-chart]")) {
      const figure = figureOf(element);
      if (figure) draw(element, figure);
    }
  }

  window.LodestarCharts = { draw, figureOf };
  // Deferred scripts all run before DOMContentLoaded: drawing then lets a page script that
  // comes after this one listen for "lodestar:chart" first.
  if (document.readyState === "complete") {
    drawAll();
  } else {
    document.addEventListener("DOMContentLoaded", drawAll);
  }
})();
