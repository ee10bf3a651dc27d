from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OgcConfig(AppConfig):
    """OGC API - Features: the registry's layers for QGIS and other GIS clients, under /ogc/."""

    name = "ogc"
    verbose_name = _("OGC API - Features")
