/* Dashboard charts (Chart.js 4, served from static/). The figures are also in the tables
   next to each chart, which stay the accessible source. */
(function () {
  "use strict";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw() {
    if (typeof window.Chart === "undefined") {
      return; // the tables still carry every number
    }
    var kpi = data("kpi-chart-data");
    var kpiCanvas = document.getElementById("kpi-chart");
    if (kpi && kpiCanvas && kpi.labels.length) {
      new window.Chart(kpiCanvas, {
        type: "bar",
        data: {
          labels: kpi.labels,
          datasets: [{
            label: "%",
            data: kpi.percent,
            backgroundColor: kpi.percent.map(function (p) { return p >= 100 ? "#2e7d32" : "#1d4e89"; })
          }]
        },
        options: {
          indexAxis: "y",
          maintainAspectRatio: false,
          animation: false,
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: {
                title: function (items) { return kpi.names[items[0].dataIndex]; },
                label: function (item) {
                  var i = item.dataIndex;
                  return kpi.values[i] + " / " + kpi.targets[i] + " (" + kpi.percent[i] + " %)";
                }
              }
            }
          },
          scales: { x: { beginAtZero: true, suggestedMax: 100, ticks: { callback: function (v) { return v + " %"; } } } }
        }
      });
    }
    var funnel = data("funnel-chart-data");
    var funnelCanvas = document.getElementById("funnel-chart");
    if (funnel && funnelCanvas) {
      new window.Chart(funnelCanvas, {
        type: "bar",
        data: {
          labels: funnel.map(function (s) { return s.label; }),
          datasets: [{ data: funnel.map(function (s) { return s.value; }), backgroundColor: "#1d4e89" }]
        },
        options: {
          indexAxis: "y",
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
