from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    """Climate partnerships and their measures, the other indicators, and the targets."""

    name = "partnerships"
    verbose_name = _("Partnerships and targets")
    default_auto_field = "django.db.models.BigAutoField"
