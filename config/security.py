"""Headers every response carries: the Content-Security-Policy, and Cache-Control private for all but static files.

Django 5.2 has no CSP of its own (it arrives in 6.0). The policy is built once from
settings.CONTENT_SECURITY_POLICY, which names the basemap's tile server for the map.
Pages, API answers, exports, tiles and documents all depend on who is signed in, so no shared
cache may keep them; static files are the same for everyone and keep WhiteNoise's caching.
"""

from django.conf import settings
from django.utils.cache import patch_cache_control


def policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class SecurityHeadersMiddleware:
    """First in MIDDLEWARE, so it also sees the responses the middleware below it answers by itself."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = policy_header(settings.CONTENT_SECURITY_POLICY)
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        if not request.path_info.startswith(self.static_prefix):
            patch_cache_control(response, private=True)
        return response
