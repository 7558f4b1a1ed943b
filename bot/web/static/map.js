// The map page: the reports' points (JSON in the page) as circles; base tiles when they load.
(function () {
  "use strict";
  var box = document.getElementById("map");
  var data = document.getElementById("map-points");
  var notice = document.getElementById("map-no-tiles");
  if (!box || !data) { return; }
  var points = [];
  try { points = JSON.parse(data.textContent || "[]"); } catch (e) { points = []; }
  function noTiles() {
    box.classList.add("no-tiles");
    if (notice) { notice.hidden = false; }
  }
  if (typeof L === "undefined") { noTiles(); return; }
  var map = L.map(box, { preferCanvas: true });
  var tiles = box.getAttribute("data-tiles");
  if (tiles) {
    var layer = L.tileLayer(tiles, {
      maxZoom: 19,
      attribution: box.getAttribute("data-attribution") || ""
    });
    var failed = 0;
    layer.on("tileerror", function () {
      failed += 1;
      if (failed === 1) { noTiles(); }
    });
    layer.on("tileload", function () {
      if (notice && failed === 0) { notice.hidden = true; }
    });
    layer.addTo(map);
  } else {
    noTiles();
  }
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: 8, color: "#a3141c", weight: 2, fillColor: "#e4453a", fillOpacity: 0.7
    }).addTo(map);
    var link = document.createElement("a");
    link.href = "/bao-cao/" + encodeURIComponent(p.id);
    link.textContent = p.number;
    var text = document.createElement("div");
    text.appendChild(link);
    text.appendChild(document.createTextNode(" · " + p.kind));
    text.appendChild(document.createElement("br"));
    text.appendChild(document.createTextNode(p.unit + " · " + p.filed));
    marker.bindPopup(text);
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length === 1) {
    map.setView(bounds[0], 15);
  } else if (bounds.length > 1) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  } else {
    map.setView([16.0, 106.0], 5); // Việt Nam
  }
}());
