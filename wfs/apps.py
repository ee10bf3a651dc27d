from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WfsConfig(AppConfig):
    """WFS 2.0 over the layer catalogue, under /wfs/: for QGIS's WFS provider, ArcGIS, MapInfo and older clients."""

    name = "wfs"
    verbose_name = _("WFS")
