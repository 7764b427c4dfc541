// The what-if chart: per major, how many stored decisions the working files would change, stacked by kind.
// The counts come from the page itself (data-chart), so the chart and the table below it cannot disagree.
(function () {
  "use strict";
  var canvas = document.getElementById("whatif-chart");
  if (!canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(canvas.getAttribute("data-chart"));
  var series = [
    ["to_eligible", "转为符合", "#127a3b"],
    ["to_not", "转为不符合", "#b42318"],
    ["changed", "其他变化", "#a15c00"],
    ["error", "无法审核", "#5b6b7b"]
  ];
  var narrow = window.matchMedia("(max-width: 700px)").matches;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: series.filter(function (s) { return data[s[0]].some(function (n) { return n > 0; }); })
        .map(function (s) { return {label: s[1], data: data[s[0]], backgroundColor: s[2], maxBarThickness: 56}; })
    },
    options: {
      indexAxis: narrow ? "y" : "x",
      maintainAspectRatio: false,
      animation: false,
      plugins: {legend: {position: "bottom"}},
      scales: {
        x: {stacked: true, ticks: narrow ? {precision: 0} : {autoSkip: false}},
        y: {stacked: true, ticks: narrow ? {autoSkip: false} : {precision: 0}, beginAtZero: true}
      }
    }
  });
}());
