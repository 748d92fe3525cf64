// Draws every chart of the page from the figures the server embedded (no inline script).
// The server lays each figure out for the page's direction (Arabic: right to left) and
// language (tick labels, month names): nothing here depends on the browser's locale.
(function () {
  "use strict";
  var source = document.getElementById("figures");
  var figures = source ? JSON.parse(source.textContent) : [];
  var pending = [];
  if (typeof Plotly !== "undefined") {
    figures.forEach(function (figure) {
      var element = document.getElementById(figure.id);
      if (!element || !figure.data.length || element.tagName !== "DIV") { return; }
      pending.push(
        Plotly.newPlot(element, figure.data, figure.layout, { displaylogo: false, responsive: true })
          .then(function () { element.setAttribute("data-rendered", String(figure.data.length)); })
      );
    });
  }
  Promise.all(pending).then(function () {
    document.body.setAttribute("data-charts-ready", "true");
  });
})();
