/* The chain map (insight/map.html): draws the server's layout with ECharts (a graph series with
   layout "none": every x and y comes from the server, the browser runs no force layout). A click on a
   chain node — or on one of its enterprises — loads the node's panel into #node-panel with htmx.
   The chart is window.insightMap and its data window.insightMapData (the browser test reads them). */
(function () {
  "use strict";

  function words() {
    var el = document.getElementById("chain-map-words");
    return el ? JSON.parse(el.textContent) : {};
  }

  function tooltip(w, nodes) {
    return function (p) {
      var d = p.data || {};
      var esc = window.echarts.format.encodeHTML;
      if (p.dataType !== "node") return "";
      if (d.kind === "chain") {
        var n = nodes[d.key];
        return "<strong>" + esc(n.name) + "</strong> · " + esc(n.stage_label) + "<br>" +
          esc(w.confirmed) + " " + n.confirmed + " " + esc(w.companies) + " · " +
          esc(w.suggested) + " " + n.suggested + " " + esc(w.companies) + " · " +
          esc(w.target) + " " + n.target + "<br>" +
          esc(w.strength) + "：" + (n.strength === null ? "" : n.strength + "% · ") + esc(n.band_label) + "<br>" +
          esc(w.revenue) + "：" + esc(n.revenue_words);
      }
      return esc(d.name) + (d.district ? " · " + esc(d.district) : "") + "<br>" +
        (d.status === "confirmed" ? esc(w.confirmed) : esc(w.suggested) + " · " + esc(w.confidence) + " " + d.confidence + "%");
    };
  }

  function draw(el, data) {
    var w = words();
    var nodes = {};
    data.nodes.forEach(function (n) { nodes[n.key] = n; });
    var items = data.nodes.map(function (n) {
      return {
        id: n.id, name: n.name, x: n.x, y: n.y, kind: "chain", key: n.key,
        symbolSize: n.size, z: 3,
        itemStyle: { color: n.colour, borderColor: "#ffffff", borderWidth: 2 },
        label: { show: true, position: "bottom", distance: 6, fontSize: 13, color: "#1f2933", fontWeight: "bold", textBorderColor: "#ffffff", textBorderWidth: 3 }
      };
    });
    data.enterprises.forEach(function (e) {
      var sure = e.status === "confirmed";
      items.push({
        id: e.id, name: e.name, x: e.x, y: e.y, kind: "enterprise", node: e.node,
        district: e.district, status: e.status, confidence: e.confidence,
        symbolSize: sure ? 6 : 5,
        itemStyle: { color: "#2b6cb0", opacity: sure ? 0.9 : 0.3 },
        label: { show: false }
      });
    });
    var links = data.edges.map(function (e) {
      return { source: e.source, target: e.target, lineStyle: { color: "#52606d", width: 2, opacity: 0.8, curveness: 0.08 } };
    });
    data.links.forEach(function (l) {
      links.push({ source: l.source, target: l.target, symbol: ["none", "none"], lineStyle: { color: "#9aa5b1", width: 0.5, opacity: 0.2 } });
    });
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", confine: true, formatter: tooltip(w, nodes) },
      series: [{
        type: "graph", layout: "none", roam: true, draggable: false,
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 9,
        emphasis: { focus: "adjacency", lineStyle: { width: 3 } },
        data: items, links: links
      }]
    });
    chart.on("click", function (p) {
      if (p.dataType !== "node" || !p.data) return;
      var key = p.data.kind === "chain" ? p.data.key : p.data.node;
      var node = nodes[key];
      if (node && window.htmx) window.htmx.ajax("GET", node.url, { target: "#node-panel", swap: "innerHTML" });
    });
    window.addEventListener("resize", function () { chart.resize(); });
    window.insightMap = chart;
    window.insightMapData = data;
    el.setAttribute("data-drawn", "1");
  }

  function init() {
    var el = document.getElementById("chain-map");
    if (!el || !window.echarts) return;
    var embedded = document.getElementById("chain-map-data");
    if (embedded) {
      draw(el, JSON.parse(embedded.textContent));
      return;
    }
    fetch(el.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (data.nodes) draw(el, data); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
