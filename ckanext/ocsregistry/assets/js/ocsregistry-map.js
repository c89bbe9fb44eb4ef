/* National map of the OCS registry: each region coloured by what the registry
 * holds there. The page already shows everything as a table; this module only
 * draws the map (Leaflet, from ckanext-spatial's bundle) and the region panel.
 * Record texts are set with textContent, never parsed as HTML.
 */
this.ckan.module("ocsregistry-map", function ($) {
  "use strict";

  var MAINLAND = [[41.3, -5.2], [51.1, 9.6]];

  function safeUrl(url) {
    return /^https?:\/\//i.test(url || "") ? url : null;
  }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  return {
    options: { outlines: null, tiles: null, attribution: "" },

    initialize: function () {
      var root = this.el[0];
      this.data = JSON.parse(root.querySelector(".ocsregistry-map-data").textContent);
      this.i18n = JSON.parse(root.querySelector(".ocsregistry-map-i18n").textContent);
      this.byCode = {};
      this.data.regions.forEach(function (r) { this.byCode[r.code] = r; }, this);
      this.panel = root.querySelector(".ocsregistry-region-panel");
      this.target = document.body.classList.contains("ocsregistry-embed") ? "_top" : null;
      var self = this;
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
      // CKAN turns an empty data-module-* attribute into `true`: only a URL counts.
      var tiles = typeof this.options.tiles === "string" ? this.options.tiles : null;
      var map = L.map(container, {
        attributionControl: !!tiles, zoomControl: interactive, dragging: interactive,
        scrollWheelZoom: false, doubleClickZoom: interactive, boxZoom: false,
        keyboard: interactive, touchZoom: interactive, zoomSnap: 0.25
      });
      if (tiles) {
        L.tileLayer(tiles, { attribution: String(this.options.attribution || "") }).addTo(map);
      }
      var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
        style: function (f) {
          var region = self.byCode[f.properties.code];
          return { color: "#555", weight: 1, fillOpacity: 0.9, fillColor: region ? region.color : "#fff" };
        },
        onEachFeature: function (f, featureLayer) {
          var region = self.byCode[f.properties.code];
          if (!region) { return; }
          featureLayer.bindTooltip(el("span", region.name + " — " + region.status_label), { sticky: true });
          featureLayer.on("click", function () { self.showRegion(region); });
        }
      }).addTo(map);
      map.fitBounds(bounds || layer.getBounds(), { padding: [2, 2] });
      // Paths exist once the map has a view; name them for styles and tests.
      layer.eachLayer(function (l) {
        var path = l.getElement && l.getElement();
        if (path) {
          path.setAttribute("data-region", l.feature.properties.code);
          path.setAttribute("data-status", (self.byCode[l.feature.properties.code] || {}).status || "");
        }
      });
      return map;
    },

    showRegion: function (region) {
      var i18n = this.i18n, target = this.target;
      var panel = this.panel;
      panel.textContent = "";
      panel.appendChild(el("h3", region.name));
      panel.appendChild(el("p", region.status_label, { "class": "ocsregistry-panel-status" }));
      if (!region.bases.length) {
        panel.appendChild(el("p", i18n.none));
        return;
      }
      var list = el("ul", null, { "class": "list-unstyled" });
      region.bases.forEach(function (base) {
        var item = el("li");
        var title = el("a", base.title, { href: safeUrl(base.url) || "#" });
        if (target) { title.setAttribute("target", target); }
        item.appendChild(el("strong")).appendChild(title);
        item.appendChild(el("div", base.characteristic_label));
        if (base.vintages.length) {
          item.appendChild(el("div", i18n.vintages + " : " + base.vintages.join(", ")));
        }
        if (base.organization.title) {
          item.appendChild(el("div", i18n.crige + " : " + base.organization.title));
        }
        [["data_url", i18n.data], ["viewer_url", i18n.viewer]].forEach(function (pair) {
          var url = safeUrl(base[pair[0]]);
          if (url) {
            var link = el("a", pair[1], { href: url, rel: "noopener" });
            if (target) { link.setAttribute("target", target); }
            item.appendChild(link);
            item.appendChild(document.createTextNode(" "));
          }
        });
        list.appendChild(item);
      });
      panel.appendChild(list);
    }
  };
});
