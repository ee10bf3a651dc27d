from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    """The roles, API tokens for scripts, and the permission rules of the API."""

    name = "access"
    verbose_name = _("API access")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib import admin

        from . import admin_site, roles, schema, sign_in_limit, signals  # noqa: F401  (roles: the post_migrate sync)
        from .forms import RateLimitedAdminAuthenticationForm

        # the admin opens to editors and administrators without staff status; one sign-in page for every role
        admin.site.login_form = RateLimitedAdminAuthenticationForm
        admin_site.install(admin.site)
