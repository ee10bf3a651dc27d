from django.contrib.gis.forms.widgets import OSMWidget


class LocalOSMWidget(OSMWidget):
    """GeoDjango's OpenStreetMap widget, with OpenLayers served from our static files (no CDN)."""

    default_lon = 9.92
    default_lat = 57.05
    default_zoom = 10

    class Media:
        extend = False
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js")
