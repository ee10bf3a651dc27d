from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishConfig(AppConfig):
    """The registry's layers as others see them: the map page, vector tiles and exports (OGC API stands on it).

    Every layer is declared once, in `catalogue.py`; tiles, exports and OGC read that declaration.
    """

    name = "publish"
    verbose_name = _("Publishing")
    default_auto_field = "django.db.models.BigAutoField"
