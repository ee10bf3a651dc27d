from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The illustrative Aalborg data set (`manage.py load_demo`) and the demo users' one-click sign-in."""

    name = "demo"
    verbose_name = _("Demo data")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check)
