"""Who opens the admin: staff status (as in Django), or a role that may change something.

Editors and administrators use the admin without staff status; viewers only read, on the dashboard, the map
and the other pages, so the admin refuses them with a page that says where to go instead of Django's
"enter the correct username and password for a staff account". The admin has no sign-in page of its own any
more: /admin/login/ sends anonymous visitors to the sign-in page every role uses (/accounts/login/), and a
form posted to it is still checked by the same rate-limited form (access/forms.py).
"""

from functools import wraps
from types import MethodType

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from .roles import role_name


def may_use_admin(user) -> bool:
    """The admin's rule: an active user with staff status, or whose role may change a record (editor,
    administrator)."""
    if not (user.is_active and user.is_authenticated):
        return False
    return user.is_staff or any(perm.split(".", 1)[1].startswith("change_") for perm in user.get_all_permissions())


def refused(request, status=403):
    """What a signed-in user whom the admin does not admit sees: their roles, and where their work is."""
    user = request.user
    roles = [role_name(name) for name in user.groups.order_by("name").values_list("name", flat=True)]
    return render(request, "admin/no_access.html", {"roles": roles}, status=status)


def _safe_next(request, default: str) -> str:
    wanted = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else default


def install(site) -> None:
    """Give an AdminSite the rule above, the refusal page, and the shared sign-in page."""
    default_admin_view, default_login = site.admin_view, site.login

    def has_permission(self, request):
        return may_use_admin(request.user)

    def admin_view(view, cacheable=False):
        wrapped = default_admin_view(view, cacheable)

        @wraps(wrapped)
        def door(request, *args, **kwargs):
            if request.user.is_authenticated and not site.has_permission(request):
                return refused(request)
            return wrapped(request, *args, **kwargs)

        return door

    @never_cache
    @login_not_required
    def login(request, extra_context=None):
        if request.method == "GET":
            if not request.user.is_authenticated:
                index = reverse("admin:index", current_app=site.name)
                return redirect_to_login(_safe_next(request, index), resolve_url(settings.LOGIN_URL))
            if not site.has_permission(request):
                # the admin's own sign-in page answers 200, as Django's does; the admin's pages answer 403
                return refused(request, status=200)
        return default_login(request, extra_context)

    site.has_permission = MethodType(has_permission, site)
    site.admin_view = admin_view
    site.login = login
