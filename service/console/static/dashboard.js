// The province dashboard's charts, drawn from the JSON the page carries (no inline script: the CSP allows
// only the console's own files).
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#8c1c13", "#0b5cad", "#127a3b", "#a15c00", "#6b3fa0", "#00838f", "#c2185b", "#5b6b7b",
                 "#9e9d24", "#3949ab", "#6d4c41"];
  Chart.defaults.font.family = '"Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif';
  Chart.defaults.animation = false;  // drawn at once: screenshots and slow machines see the final chart

  function draw(id, figure, options) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: figure.labels,
        datasets: figure.series.map(function (s, i) {
          return { label: s.label, data: s.data, backgroundColor: palette[i % palette.length], maxBarThickness: 56 };
        })
      },
      options: Object.assign({ responsive: true, maintainAspectRatio: false,
                               plugins: { legend: { position: "bottom" } } }, options)
    });
  }

  draw("chart-stages", data.stages, { scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } });
  draw("chart-majors", data.majors, { indexAxis: "y", scales: { x: { min: 0, max: 100 } } });
  draw("chart-waiting", data.waiting, { scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } });
}());
