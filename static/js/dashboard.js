/* Dashboard charts: each <canvas data-chart="{...}"> holds its Chart.js data (no inline script). */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var PALETTE = ["#0d47a1", "#a4161a", "#2e7d32", "#f9a825", "#6a1b9a", "#00838f", "#5d4037"];

  function colours(spec) {
    spec.datasets.forEach(function (dataset, index) {
      if (spec.type === "doughnut") {
        dataset.backgroundColor = spec.labels.map(function (label, i) {
          return PALETTE[i % PALETTE.length];
        });
      } else {
        dataset.backgroundColor = PALETTE[index % PALETTE.length];
      }
    });
    return spec;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec;
    try { spec = JSON.parse(canvas.getAttribute("data-chart")); } catch (e) { return; }
    spec = colours(spec);
    var options = {responsive: true, maintainAspectRatio: false, animation: false,
                   plugins: {legend: {position: "bottom"}}};
    if (spec.type === "bar") {
      options.scales = {y: {beginAtZero: true, ticks: {precision: 0}}};
    }
    new window.Chart(canvas, {type: spec.type,
                              data: {labels: spec.labels, datasets: spec.datasets},
                              options: options});
  });
}());
