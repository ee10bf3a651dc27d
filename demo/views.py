"""One-click sign-in as a demo user, for development and demo installations."""

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from access.roles import ROLES

from .dataset import DEMO_USER_PREFIX


@require_POST
def demo_login(request, role):
    """Sign in as the demo user of a role: development and demo installations only."""
    if not settings.DEMO_LOGIN_ENABLED or role not in ROLES:
        raise Http404
    user = get_user_model().objects.filter(username=f"{DEMO_USER_PREFIX}{role}", is_active=True).first()
    if user is None:
        raise Http404("Run `manage.py load_demo` first.")
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    return redirect("home")
