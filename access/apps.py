from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    """The roles, API tokens for scripts, and the permission rules of the API."""

    name = "access"
    verbose_name = _("API access")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib import admin

        from . import roles, schema, sign_in_limit, signals  # noqa: F401  (roles: the post_migrate role sync)
        from .forms import RateLimitedAdminAuthenticationForm

        admin.site.login_form = RateLimitedAdminAuthenticationForm
