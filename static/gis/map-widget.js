// Starts GeoDjango's MapWidget for each map field from its JSON options (no inline script: see gis/widgets.py).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const wrapper of document.querySelectorAll("[data-map-widget]")) {
    const options = JSON.parse(document.getElementById(wrapper.dataset.mapWidget).textContent);
    if (options.base_layer_url) {
      options.base_layer = new ol.layer.Tile({
        source: new ol.source.XYZ({ url: options.base_layer_url, attributions: options.base_layer_attribution }),
      });
    } else {
      options.base_layer = new ol.layer.Tile();  // no basemap configured: a plain background
    }
    window[`geodjango_${options.name.replaceAll("-", "_")}`] = new MapWidget(options);
  }
});
