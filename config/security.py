"""Content-Security-Policy on every response: scripts and styles only from our own static files.

Django 5.2 has no CSP of its own (it arrives in 6.0). The policy is built once from
settings.CONTENT_SECURITY_POLICY, which names the basemap's tile server for the map.
"""

from django.conf import settings


def policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = policy_header(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response
