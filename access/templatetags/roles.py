"""The roles in templates: `{% load roles %}`, then `{{ role|role_name }}`, `{{ user|roles }}`,
`{% if user|uses_admin %}`, `{% sign_in_url %}`."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.shortcuts import resolve_url

from access.admin_site import may_use_admin
from access.roles import role_name as translated_role_name

register = template.Library()


@register.filter
def role_name(name: str) -> str:
    """A role's (a group's) name as users see it, translated."""
    return translated_role_name(name)


@register.filter
def roles(user) -> str:
    """The translated names of a user's roles, comma-separated ("" for none or anonymous)."""
    if not user.is_authenticated:
        return ""
    return ", ".join(translated_role_name(name) for name in user.groups.order_by("name").values_list("name", flat=True))


@register.filter
def uses_admin(user) -> bool:
    """Whether the admin opens to this user (access/admin_site.py)."""
    return may_use_admin(user)


@register.simple_tag(takes_context=True)
def sign_in_url(context) -> str:
    """The sign-in page, coming back to this page afterwards (not to a sign-in or password page itself)."""
    url = resolve_url(settings.LOGIN_URL)
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    view_class = getattr(getattr(match, "func", None), "view_class", None)
    if request is None or match is None or (view_class and view_class.__module__ == auth_views.__name__):
        return url
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
