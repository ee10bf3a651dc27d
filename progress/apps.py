from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    """Progress toward the targets: totals, dashboard, status report."""

    name = "progress"
    verbose_name = _("Progress")
