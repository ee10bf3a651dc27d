from django.conf import settings
from django.contrib.gis.forms.widgets import OSMWidget


class LocalOSMWidget(OSMWidget):
    """GeoDjango's map widget with OpenLayers from our static files (no CDN) and no inline script.

    Django's template starts the map with an inline <script>, which our Content-Security-Policy forbids;
    ours hands the options over as JSON and static/gis/map-widget.js starts the map.
    """

    template_name = "gis/map_widget.html"
    default_lon = 9.92
    default_lat = 57.05
    default_zoom = 10

    class Media:
        extend = False
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js", "gis/map-widget.js")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["map_options"] = {
            "geom_name": context["geom_type"],
            "id": context["id"],
            "map_id": f"{context['id']}_map",
            "map_srid": self.map_srid,
            "name": name,
            "default_lon": self.default_lon,
            "default_lat": self.default_lat,
            "default_zoom": self.default_zoom,
            "options_id": f"{context['id']}_options",
            "base_layer_url": settings.MAP_BASEMAP_TILES,
            "base_layer_attribution": settings.MAP_BASEMAP_ATTRIBUTION,
        }
        return context
