// The optional interactive map of a planning result, drawn with Leaflet from the data the page
// embeds (#planning-map-data). Without JavaScript, or without Leaflet installed, the page keeps
// its static map and tables; nothing here is needed to read the result.
(function () {
  "use strict";
  var box = document.querySelector(".planning-live-map");
  var source = document.getElementById("planning-map-data");
  if (!box || !source || !window.L) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var colours = { kept: "#0072B2", opened: "#009E73", closed: "#D55E00" }; // as the static map
  var map = null;

  // Popups are built from text nodes: place names are data, never markup.
  function popup(lines) {
    var div = document.createElement("div");
    lines.forEach(function (line, i) {
      var el = document.createElement(i === 0 ? "strong" : "div");
      el.textContent = line;
      div.appendChild(el);
    });
    return div;
  }

  function number(n) {
    return Number(n).toLocaleString(document.documentElement.lang || undefined);
  }

  function draw() {
    map = L.map(box.querySelector(".planning-live-map__canvas"), {
      preferCanvas: true, // 1,300 localities draw faster on one canvas than as SVG elements
      zoomSnap: 0.25,
    });
    if (data.tiles) {
      L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 18 }).addTo(map);
    }
    var places = L.layerGroup(
      data.localities.map(function (loc) {
        return L.circleMarker([loc[0], loc[1]], {
          radius: Math.max(1.5, Math.sqrt(loc[2]) / 60),
          stroke: false,
          fillColor: "#9a9a9a",
          fillOpacity: 0.8,
        }).bindTooltip(loc[3] + " · " + data.labels.population + " " + number(loc[2]));
      })
    ).addTo(map);
    var coverage = L.layerGroup().addTo(map);
    var overlays = {};
    overlays[data.labels.localities] = places;
    ["kept", "opened", "closed"].forEach(function (kind) {
      var group = L.layerGroup().addTo(map);
      data[kind].forEach(function (office) {
        var lines = [office.name + " (" + office.code + ")", data.labels[kind], office.county];
        if (office.served !== null && office.served !== undefined) {
          lines.push(data.labels.served + ": " + number(office.served));
        }
        L.circleMarker([office.lat, office.lon], {
          radius: kind === "kept" ? 5 : 7,
          color: "#ffffff",
          weight: 1,
          fillColor: colours[kind],
          fillOpacity: 1,
          dashArray: kind === "closed" ? "2 2" : null,
        })
          .bindPopup(popup(lines))
          .addTo(group);
        if (kind !== "closed" && data.radius_km > 0) {
          L.circle([office.lat, office.lon], {
            radius: data.radius_km * 1000,
            stroke: false,
            fillColor: colours[kind],
            fillOpacity: 0.12,
            interactive: false,
          }).addTo(coverage);
        }
      });
      overlays[data.labels[kind]] = group;
    });
    overlays[data.labels.coverage] = coverage;
    L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    map.invalidateSize(); // the container has only just been shown
    map.fitBounds([
      [55.1, 10.5],
      [69.3, 24.5],
    ]);
  }

  box.hidden = false;
  box.addEventListener("toggle", function () {
    // Leaflet measures its container, so the map is drawn the first time it is opened.
    if (box.open && map === null) {
      draw();
    }
  });
})();
