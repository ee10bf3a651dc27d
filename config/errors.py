"""Error pages: API clients get JSON (as the OpenAPI document says), people get the site's page."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

MACHINE_PREFIXES = ("/api/", "/ogc/")


def _wants_json(request) -> bool:
    return request.path.startswith(MACHINE_PREFIXES)


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _wants_json(request):
        return JsonResponse({"detail": _("Server error; it has been logged.")}, status=500)
    return defaults.server_error(request)
