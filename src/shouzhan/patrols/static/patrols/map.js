// The patrol map (patrols/_map.html): pan by dragging, zoom with Ctrl + wheel or the buttons. The drawing is
// the server's SVG; this only moves it (markers and the scale bar keep their size on screen). No requests.
(function () {
  "use strict";

  function setUp(svg) {
    if (svg.dataset.ready) return;
    svg.dataset.ready = "1";
    var pan = svg.querySelector(".pt-pan");
    if (!pan) return;
    var tools = svg.parentNode.querySelector(".pt-map-tools");
    var scaleBar = svg.querySelector(".pt-scale");
    var barPath = scaleBar && scaleBar.querySelector("path");
    var barText = scaleBar && scaleBar.querySelector("text");
    var barPx = barPath ? parseFloat(barPath.getAttribute("d").split("H")[1]) : 0;
    var view = { s: 1, x: 0, y: 0 };
    var dots = Array.prototype.slice.call(svg.querySelectorAll(".pt-checkpoint circle"));
    var labels = Array.prototype.slice.call(svg.querySelectorAll(".pt-checkpoint-label"));
    var hazards = Array.prototype.slice.call(svg.querySelectorAll(".pt-hazard"));
    var places = hazards.map(function (h) { return h.getAttribute("transform"); });

    function draw() {
      pan.setAttribute("transform", "translate(" + view.x + " " + view.y + ") scale(" + view.s + ")");
      svg.style.touchAction = view.s > 1 ? "none" : "pan-y";  // on a phone the page scrolls until zoomed in
      dots.forEach(function (c) { c.setAttribute("r", 5 / view.s); c.setAttribute("stroke-width", 2.5 / view.s); });
      labels.forEach(function (t) {
        t.setAttribute("font-size", 12 / view.s);
        t.setAttribute("dx", 8 / view.s);
        t.setAttribute("dy", 4 / view.s);
        t.style.strokeWidth = 3 / view.s + "px";
      });
      hazards.forEach(function (h, i) { h.setAttribute("transform", places[i] + " scale(" + 1 / view.s + ")"); });
      if (barPath && barText) {  // a round length again, at the new scale (as mapping.scale_bar chooses it)
        var perPx = parseFloat(scaleBar.dataset.metres) / (barPx * view.s);
        var most = perPx * svg.viewBox.baseVal.width / 4;
        var power = Math.pow(10, Math.floor(Math.log10(most)));
        var metres = Math.max(1, [5, 2, 1].map(function (k) { return k * power; })
          .filter(function (v) { return v <= most; })[0] || power);
        var px = (metres / perPx).toFixed(1);
        barPath.setAttribute("d", "M0 -6 V0 H" + px + " V-6");
        barText.setAttribute("x", px);
        barText.textContent = metres >= 1000 ? metres / 1000 + " " + scaleBar.dataset.km
          : metres + " " + scaleBar.dataset.m;
      }
    }

    function point(event) {  // screen to SVG user units
      var box = svg.getBoundingClientRect();
      var vb = svg.viewBox.baseVal;
      return { x: (event.clientX - box.left) * vb.width / box.width, y: (event.clientY - box.top) * vb.height / box.height };
    }

    function zoomAt(factor, at) {
      var s = Math.min(64, Math.max(1, view.s * factor));
      factor = s / view.s;
      view.x = at.x - (at.x - view.x) * factor;
      view.y = at.y - (at.y - view.y) * factor;
      view.s = s;
      if (s === 1) { view.x = 0; view.y = 0; }
      draw();
    }

    svg.addEventListener("wheel", function (event) {  // Ctrl + wheel (or a pinch on a touchpad): the page
      if (!event.ctrlKey && !event.metaKey) return;  // scrolls on with the plain wheel
      event.preventDefault();
      zoomAt(event.deltaY < 0 ? 1.25 : 0.8, point(event));
    }, { passive: false });

    var drag = null;
    var moved = false;
    svg.addEventListener("pointerdown", function (event) {
      drag = { start: point(event), x: view.x, y: view.y };
      moved = false;
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var now = point(event);
      var dx = now.x - drag.start.x;
      var dy = now.y - drag.start.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      if (!moved) svg.setPointerCapture(event.pointerId);
      moved = true;
      view.x = drag.x + dx;
      view.y = drag.y + dy;
      draw();
    });
    function stop() { drag = null; }
    svg.addEventListener("pointerup", stop);
    svg.addEventListener("pointercancel", stop);
    svg.addEventListener("click", function (event) {  // a drag is not a click on a section
      if (moved) { event.preventDefault(); moved = false; }
    }, true);

    if (tools) {
      tools.hidden = false;
      tools.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-zoom]");
        if (!button) return;
        var vb = svg.viewBox.baseVal;
        var centre = { x: vb.width / 2, y: vb.height / 2 };
        if (button.dataset.zoom === "in") zoomAt(1.5, centre);
        else if (button.dataset.zoom === "out") zoomAt(1 / 1.5, centre);
        else { view = { s: 1, x: 0, y: 0 }; draw(); }
      });
    }
  }

  function all() {
    Array.prototype.forEach.call(document.querySelectorAll("svg[data-patrol-map]"), setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
})();
