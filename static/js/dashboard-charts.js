/* Draws the dashboards' charts with the vendored Chart.js (static/vendor/chartjs, built by
   scripts/build_static.sh; nothing is loaded from the internet).

   Each <canvas data-chart="ID"> reads its figures from the json_script element #ID that
   dashboards/ wrote (figures arrive as strings: the server keeps money in Decimal).
   The table beside each chart holds the same figures, so anyone who cannot see the chart, or
   whose browser runs no JavaScript, loses nothing: the chart's <figure> stays hidden until it
   is drawn. Animation is off for people who ask their system for reduced motion. */
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return; // Chart.js was not built into the static files: the tables stand alone.
  }
  var Chart = window.Chart;
  var reducedMotion =
    window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  if (reducedMotion) {
    Chart.defaults.animation = false;
    Chart.defaults.animations = {};
    Chart.defaults.transitions.active.animation.duration = 0;
  }
  Chart.defaults.font.family = '"Frutiger W01", Arial, sans-serif';
  Chart.defaults.font.size = 14;
  Chart.defaults.color = "#212b32"; // NHS text colour: 15:1 on white

  var pounds = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP" });
  var poundsShort = new Intl.NumberFormat("en-GB", {
    style: "currency",
    currency: "GBP",
    notation: "compact",
    maximumFractionDigits: 1,
  });
  var plain = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });

  // Shades the PCN population band (30,000 to 50,000) behind the population bar.
  var bandPlugin = {
    id: "populationBand",
    beforeDatasetsDraw: function (chart, _args, band) {
      if (!band || band.from === undefined) {
        return;
      }
      var scale = chart.scales.x;
      var area = chart.chartArea;
      var left = scale.getPixelForValue(band.from);
      var right = scale.getPixelForValue(band.to);
      var ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = "rgba(0, 127, 59, 0.12)";
      ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
      ctx.strokeStyle = "#007f3b";
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      [left, right].forEach(function (x) {
        ctx.beginPath();
        ctx.moveTo(x, area.top);
        ctx.lineTo(x, area.bottom);
        ctx.stroke();
      });
      ctx.setLineDash([]);
      ctx.fillStyle = "#005230"; // dark green: 9:1 on white
      ctx.textBaseline = "bottom";
      ctx.fillText(band.label, left, area.top - 4);
      ctx.restore();
    },
  };

  function dataset(spec, source) {
    var line = spec.type === "line";
    var set = {
      label: source.label,
      data: source.data.map(Number),
      backgroundColor: source.light ? "#d8dde0" : source.color,
      borderColor: source.light ? "#768692" : source.color,
      borderWidth: line ? 3 : 1,
    };
    if (line) {
      set.fill = false;
      set.pointRadius = source.flat ? 0 : 3;
      set.borderDash = source.dashed ? [8, 5] : source.flat ? [2, 3] : [];
      set.tension = 0;
    } else if (spec.stacked) {
      set.borderColor = "#ffffff"; // a white edge tells stacked segments apart
    }
    return set;
  }

  function config(spec) {
    var horizontal = spec.indexAxis === "y";
    var valueAxis = horizontal ? "x" : "y";
    var categoryAxis = horizontal ? "y" : "x";
    var format = spec.money ? pounds.format : plain.format;
    var tick = spec.money ? poundsShort.format : plain.format;
    var scales = {};
    scales[valueAxis] = {
      beginAtZero: !spec.band,
      stacked: spec.stacked,
      ticks: {
        precision: spec.whole ? 0 : undefined,
        callback: function (value) {
          return tick(value);
        },
      },
      title: { display: Boolean(spec.valueTitle), text: spec.valueTitle },
    };
    if (spec.band) {
      scales[valueAxis].min = 0;
      scales[valueAxis].max = spec.band.max;
    }
    scales[categoryAxis] = { stacked: spec.stacked, ticks: { autoSkip: false } };
    return {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets.map(dataset.bind(null, spec)) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.indexAxis,
        animation: reducedMotion ? false : undefined,
        layout: { padding: { top: spec.band ? 24 : 0 } },
        interaction: { mode: "nearest", intersect: spec.type !== "line", axis: categoryAxis },
        scales: scales,
        plugins: {
          legend: { display: spec.legend && spec.datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.dataset.label + ": " + format(context.parsed[valueAxis]);
              },
            },
          },
          populationBand: spec.band || false,
        },
      },
      plugins: spec.band ? [bandPlugin] : [],
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var figure = canvas.closest("figure");
    try {
      var spec = JSON.parse(source.textContent);
      if (figure) {
        figure.hidden = false; // shown first, so Chart.js measures a visible box
      }
      new Chart(canvas, config(spec));
    } catch (error) {
      if (figure) {
        figure.hidden = true; // the table beside it still has every figure
      }
      if (window.console) {
        window.console.error("Could not draw the chart", error);
      }
    }
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
