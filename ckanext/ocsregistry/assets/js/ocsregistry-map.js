/* National map of the OCS registry: each region coloured by what the registry
 * holds there. The page already shows everything as a table; this script only
 * draws the map (Leaflet, the file ckanext-spatial ships) and the region panel.
 * A plain script, needing none of CKAN's (jQuery, Bootstrap, moment, select2,
 * htmx: about 250 KB compressed, half the page's weight on a phone).
 * Record texts are set with textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  var MAINLAND = [[41.3, -5.2], [51.1, 9.6]];

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function NationalMap(root) {
    this.root = root;
    this.options = {
      outlines: root.getAttribute("data-outlines"),
      tiles: root.getAttribute("data-tiles") || null,
      attribution: root.getAttribute("data-attribution") || ""
    };
  }

  NationalMap.prototype = {
    initialize: function () {
      var root = this.root;
      this.data = JSON.parse(root.querySelector(".ocsregistry-map-data").textContent);
      this.i18n = JSON.parse(root.querySelector(".ocsregistry-map-i18n").textContent);
      this.byCode = {};
      this.data.regions.forEach(function (r) { this.byCode[r.code] = r; }, this);
      this.panel = root.querySelector(".ocsregistry-region-panel");
      this.target = document.body.classList.contains("ocsregistry-embed") ? "_top" : null;
      this.mapIndex = 0;
      var self = this;
      // Wide screens show the filters in use; phones and embeds keep them folded.
      var toggle = root.querySelector(".ocsregistry-filters-toggle");
      if (toggle && !this.target && toggle.hasAttribute("data-active") && window.matchMedia && window.matchMedia("(min-width: 768px)").matches) {
        toggle.open = true;
      }
      fetch(this.options.outlines, { credentials: "same-origin" })
        .then(function (resp) { return resp.json(); })
        .then(function (geojson) { self.draw(root, geojson); })
        .catch(function (err) { root.classList.add("ocsregistry-map-failed"); window.console && console.error(err.stack || err); });
    },

    draw: function (root, geojson) {
      var era = this.data.era;
      var features = geojson.features.filter(function (f) {
        return f.properties.eras.indexOf(era) >= 0;
      });
      // the page draws an inset per overseas region (regions.OVERSEAS on the server)
      var overseas = Array.prototype.map.call(root.querySelectorAll(".ocsregistry-inset"),
        function (inset) { return inset.getAttribute("data-code"); });
      var mainland = features.filter(function (f) { return overseas.indexOf(f.properties.code) < 0; });
      this.makeMap(root.querySelector(".ocsregistry-map"), mainland, MAINLAND, true);
      Array.prototype.forEach.call(root.querySelectorAll(".ocsregistry-inset"), function (inset) {
        var code = inset.getAttribute("data-code");
        var own = features.filter(function (f) { return f.properties.code === code; });
        if (own.length) { this.makeMap(inset.querySelector(".ocsregistry-inset-map"), own, null, false); }
      }, this);
      root.classList.add("ocsregistry-map-ready");
    },

    makeMap: function (container, features, bounds, interactive) {
      var self = this;
      var tiles = this.options.tiles;
      var map = L.map(container, {
        attributionControl: !!tiles, zoomControl: interactive, dragging: interactive,
        scrollWheelZoom: false, doubleClickZoom: interactive, boxZoom: false,
        keyboard: interactive, touchZoom: interactive, zoomSnap: 0.25
      });
      if (tiles) {
        L.tileLayer(tiles, { attribution: String(this.options.attribution || "") }).addTo(map);
      }
      var prefix = "ocsregistry-hatch-" + (this.mapIndex++) + "-";
      var patterns = {};
      var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
        style: function (f) {
          var region = self.byCode[f.properties.code];
          var fill = region ? region.color : "#fff";
          if (region && region.coverage === "partial") {
            var id = prefix + region.status + "-" + region.fill_under.replace("#", "");
            patterns[id] = [region.color, region.fill_under];
            fill = "url(#" + id + ")";
          }
          return { color: "#555", weight: 1, fillOpacity: 0.9, fillColor: fill };
        },
        onEachFeature: function (f, featureLayer) {
          var region = self.byCode[f.properties.code];
          if (!region) { return; }
          featureLayer.bindTooltip(el("span", self.regionLabel(region)), { sticky: true });
          featureLayer.on("click", function () { self.showRegion(region); });
        }
      }).addTo(map);
      map.fitBounds(bounds || layer.getBounds(), { padding: [2, 2] });
      if (interactive) { this.addNames(map, features); }
      // On a touch screen the map is most of the screen: one finger scrolls the
      // page, not the map, until the map is zoomed in (pinch or the + button).
      var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
      if (interactive && coarse) {
        var fitted = map.getZoom();
        map.dragging.disable();
        map.on("zoomend", function () {
          if (map.getZoom() > fitted) { map.dragging.enable(); } else { map.dragging.disable(); }
        });
      }
      // the SVG renderer exists once the map has a view
      this.addPatterns(container, patterns);
      // Paths exist once the map has a view; name them for styles and tests.
      layer.eachLayer(function (l) {
        var path = l.getElement && l.getElement();
        var region = self.byCode[l.feature.properties.code];
        if (path && region) {
          path.setAttribute("data-region", region.code);
          path.setAttribute("data-status", region.status);
          path.setAttribute("data-coverage", region.coverage);
          // a button with a name: focusable, Enter or Space opens its panel
          path.setAttribute("role", "button");
          path.setAttribute("tabindex", "0");
          path.setAttribute("aria-label", self.regionLabel(region));
          path.addEventListener("keydown", function (event) {
            if (event.key === "Enter" || event.key === " " || event.key === "Spacebar") {
              event.preventDefault();
              event.stopPropagation();
              self.showRegion(region);
            }
          });
        }
      });
      return map;
    },

    // Region names on the map, where the server says (the centre of the largest
    // part); hidden from screen readers, the regions carry their own names.
    addNames: function (map, features) {
      features.forEach(function (f) {
        var region = this.byCode[f.properties.code];
        if (!region || !region.label) { return; }
        L.marker(region.label, {
          icon: L.divIcon({ className: "ocsregistry-region-name", html: el("span", region.name, { "aria-hidden": "true" }),
                            iconSize: null }),
          interactive: false, keyboard: false
        }).addTo(map);
      }, this);
    },

    regionLabel: function (region) {
      var i18n = this.i18n, n = region.record_count;
      var text = region.name + " : " + region.status_label;
      if (region.coverage === "partial") { text += " (" + i18n.partial_region + ")"; }
      return n ? text + ", " + (n === 1 ? i18n.one_record : i18n.records.replace("{n}", n)) : text;
    },

    // SVG hatch patterns: stripes of the region's colour over the colour of
    // the most specific base covering all of it.
    addPatterns: function (container, patterns) {
      var ids = Object.keys(patterns);
      var svg = container.querySelector("svg");
      if (!ids.length || !svg) { return; }
      var ns = "http://www.w3.org/2000/svg";
      var defs = svg.querySelector("defs") || svg.insertBefore(document.createElementNS(ns, "defs"), svg.firstChild);
      ids.forEach(function (id) {
        var pattern = document.createElementNS(ns, "pattern");
        pattern.setAttribute("id", id);
        pattern.setAttribute("patternUnits", "userSpaceOnUse");
        pattern.setAttribute("width", "8");
        pattern.setAttribute("height", "8");
        pattern.setAttribute("patternTransform", "rotate(45)");
        var under = document.createElementNS(ns, "rect");
        under.setAttribute("width", "8");
        under.setAttribute("height", "8");
        under.setAttribute("fill", patterns[id][1]);
        var stripe = document.createElementNS(ns, "rect");
        stripe.setAttribute("width", "4");
        stripe.setAttribute("height", "8");
        stripe.setAttribute("fill", patterns[id][0]);
        pattern.appendChild(under);
        pattern.appendChild(stripe);
        defs.appendChild(pattern);
      });
    },

    showRegion: function (region) {
      var i18n = this.i18n;
      var panel = this.panel;
      panel.textContent = "";
      this.root.classList.add("has-region");
      var close = el("button", "\u00d7", { type: "button", "class": "btn btn-sm btn-light ocsregistry-panel-close",
                                           "aria-label": i18n.close });
      close.addEventListener("click", this.closePanel.bind(this));
      panel.appendChild(close);
      panel.appendChild(el("h2", region.name));
      panel.appendChild(el("p", region.status_label + (region.coverage === "partial" ? " (" + i18n.partial_region + ")" : ""),
                           { "class": "ocsregistry-panel-status" }));
      this.lastRegion = region.code;
      var cell = this.root.querySelector('.ocsregistry-map-table tr[data-region="' + region.code + '"] .ocsregistry-region-bases');
      if (!region.record_count || !cell) {
        panel.appendChild(el("p", i18n.none));
        this.reveal();
        return;
      }
      // the table's cell, as the server wrote it (links open at the top in an embed)
      var bases = el("div", null, { "class": "ocsregistry-panel-bases" });
      Array.prototype.forEach.call(cell.childNodes, function (node) { bases.appendChild(node.cloneNode(true)); });
      panel.appendChild(bases);
      this.reveal();
    },

    // The panel comes into view and takes focus (on a phone it is below the map).
    reveal: function () {
      var panel = this.panel;
      var rect = panel.getBoundingClientRect();
      var fits = rect.top >= 0 && rect.bottom <= (window.innerHeight || document.documentElement.clientHeight);
      if (!fits && panel.scrollIntoView) {
        panel.scrollIntoView({ block: rect.height > window.innerHeight ? "start" : "nearest" });
      }
      panel.focus({ preventScroll: true });
    },

    closePanel: function () {
      this.root.classList.remove("has-region");
      var path = this.lastRegion && this.root.querySelector('.ocsregistry-map path[data-region="' + this.lastRegion + '"], .ocsregistry-inset-map path[data-region="' + this.lastRegion + '"]');
      if (path) { path.focus(); }
    }
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".ocsregistry-map-page[data-outlines]"), function (root) {
      new NationalMap(root).initialize();
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
