from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every domain app stands on: archivable records, versions and history, the API and admin bases.

    It imports no domain app; the apps above it import from here.
    """

    name = "core"
    verbose_name = _("Core")
    default_auto_field = "django.db.models.BigAutoField"
