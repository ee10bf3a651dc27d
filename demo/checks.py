"""`manage.py check --deploy` warns while demo users (password "demo") exist in the database."""

from django.contrib.auth import get_user_model
from django.core.checks import Info, Tags, Warning, register
from django.db import DatabaseError
from django.utils.translation import gettext as _

from .dataset import DEMO_USER_PREFIX


@register(Tags.security, deploy=True)
def demo_users_in_production(app_configs=None, **kwargs):
    """demo.W001 while any active demo-* user exists. Without a database (a build step) it cannot know:
    demo.I002 says so without failing `check --deploy --fail-level WARNING`."""
    try:
        names = list(
            get_user_model()
            .objects.filter(username__startswith=DEMO_USER_PREFIX, is_active=True)
            .order_by("username")
            .values_list("username", flat=True)
        )
    except DatabaseError as error:
        return [Info(_("Could not look for demo users: %s") % error, id="demo.I002")]
    if not names:
        return []
    return [
        Warning(
            _("Demo users exist: %s. Anyone who knows the demo password can sign in as them.") % ", ".join(names),
            hint=_("Delete these users (or deactivate them) before going live; never run load_demo in production."),
            id="demo.W001",
        )
    ]
