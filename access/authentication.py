"""How API, OGC, WFS, tile and export requests sign in: what GIS clients can send, besides the browser's session.

- `Authorization: Token <key>` or `Bearer <key>`: an API token (scripts, newer QGIS with a header).
- HTTP Basic with the user's name and password (QGIS 3.22, ArcGIS, GDAL): counted by the sign-in limit, and
  refused over plain HTTP when BASIC_AUTH_HTTPS_ONLY (production), since the password travels with every request.
- HTTP Basic with any user name and an API token as the password, for clients that only speak Basic.

Basic comes first in DEFAULT_AUTHENTICATION_CLASSES, so a 401 says `WWW-Authenticate: Basic` and QGIS asks again.
"""

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings

from .models import ApiToken, hash_token

REALM = "Climate partnership registry"
# A verified name and password is remembered this long per process, so a client sending Basic with every tile
# does not pay a password hash (hundreds of milliseconds by design) each time.
VERIFIED_SECONDS = 300


def token_user(key: str):
    """The (user, token) of a usable API token, or None."""
    token = ApiToken.objects.usable().select_related("user").filter(key_hash=hash_token(key)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` or `Authorization: Bearer <key>`, checked against the stored hash."""

    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give the token after the keyword."))
        found = token_user(parts[1].decode("latin-1"))
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return found

    def authenticate_header(self, request):
        return "Bearer"


def _verified_key(username: str, password: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{username}\0{password}".encode(), hashlib.sha256).hexdigest()
    return f"basic:{digest}"


def _password_digest(user) -> str:
    return hashlib.sha256(user.password.encode()).hexdigest()


class BasicAuthentication(authentication.BasicAuthentication):
    """HTTP Basic: a user's name and password, or any name with an API token as the password."""

    www_authenticate_realm = REALM

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if parts and parts[0].lower() == b"basic" and settings.BASIC_AUTH_HTTPS_ONLY and not request.is_secure():
            raise exceptions.AuthenticationFailed(
                _("Basic sign-in is accepted only over HTTPS: connect with https:// (the password would travel open).")
            )
        return super().authenticate(request)

    def authenticate_credentials(self, userid, password, request=None):
        found = token_user(password)
        if found is not None:
            return found
        user = self._remembered(userid, password)
        if user is None:
            # Django's authenticate(): the sign-in limit refuses first, and a failure is counted
            user, _none = super().authenticate_credentials(userid, password, request)
            cache.set(_verified_key(userid, password), (user.pk, _password_digest(user)), VERIFIED_SECONDS)
        return user, None

    @staticmethod
    def _remembered(username: str, password: str):
        remembered = cache.get(_verified_key(username, password))
        if remembered is None:
            return None
        user = get_user_model().objects.filter(pk=remembered[0], is_active=True).first()
        # a changed password (or a deactivated account) ends what was remembered
        return user if user is not None and _password_digest(user) == remembered[1] else None


def www_authenticate() -> str:
    return f'Basic realm="{REALM}"'


def api_request(request) -> Request:
    """A plain Django view's request, signed in as the API signs in (Basic, token, session): for tiles and WFS.

    Reading `.user` raises AuthenticationFailed for wrong credentials.
    """
    return Request(request, authenticators=[cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES])


def unauthorized(detail=None) -> JsonResponse:
    """A 401 that asks for Basic sign-in, so a GIS client prompts for the name and password again."""
    response = JsonResponse({"detail": str(detail or _("Authentication credentials were not provided."))}, status=401)
    response["WWW-Authenticate"] = www_authenticate()
    return response
