// The value-versus-effort matrix: selecting a point opens its feature. charts.js draws the
// chart; each point's customdata is its feature key, put into the page's feature URL.
(() => {
  "use strict";
  const chart = document.getElementById("matrix-chart");
  if (!chart) return;
  chart.addEventListener("lodestar:chart", () => {
    chart.on("plotly_click", (event) => {
      const point = event.points && event.points[0];
      if (!point || typeof point.customdata !== "string") return;
      window.location.assign(chart.dataset.featureUrl.replace("FEATURE_KEY", encodeURIComponent(point.customdata)));
    });
  });
})();
