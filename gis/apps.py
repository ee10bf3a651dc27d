from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    """Our GIS app. Django's own contrib.gis owns the label 'gis', so ours is 'geo'."""

    name = "gis"
    label = "geo"
    verbose_name = _("Geography")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check of the vertex limit)
