// Draws every chart of the page from the figures the server embedded (no inline script).
(function () {
  "use strict";
  var source = document.getElementById("figures");
  if (!source || typeof Plotly === "undefined") { return; }
  var rtl = document.documentElement.dir === "rtl";
  JSON.parse(source.textContent).forEach(function (figure) {
    var element = document.getElementById(figure.id);
    if (!element) { return; }
    var layout = figure.layout;
    // Right-to-left pages read categories from the right; axes titles stay legible.
    if (rtl) { layout.xaxis = Object.assign({}, layout.xaxis, { autorange: "reversed" }); layout.yaxis = Object.assign({}, layout.yaxis, { side: "right" }); }
    Plotly.newPlot(element, figure.data, layout, { displaylogo: false, responsive: true });
    element.setAttribute("data-rendered", String(figure.data.length));
  });
  document.body.setAttribute("data-charts-ready", "true");
})();
