"""Sign-in rate limit: after too many failed sign-ins for one user name, or from one address, refuse for a while.

Failures are rows (SignInFailure), not cache entries, so the limit holds across gunicorn workers and restarts.
The admin's login form asks `refusal()` first and shows its message; the authentication backend refuses too,
so no other sign-in path can try passwords past the limit. A successful sign-in clears the user name's failures.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import ngettext

from .models import SignInFailure


def client_address(request) -> str | None:
    """REMOTE_ADDR, or the header a trusted proxy in front sets (SIGN_IN_CLIENT_IP_HEADER, e.g. X-Real-IP)."""
    if request is None:
        return None
    header = settings.SIGN_IN_CLIENT_IP_HEADER
    address = request.headers.get(header, "").split(",")[-1].strip() if header else ""
    return address or request.META.get("REMOTE_ADDR") or None


def _window_start():
    return timezone.now() - timedelta(minutes=settings.SIGN_IN_FAILURE_WINDOW_MINUTES)


def _free_again_at(failures, limit):
    """When the limit-th most recent failure leaves the window, one more attempt is allowed."""
    times = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return None
    return times[-1] + timedelta(minutes=settings.SIGN_IN_FAILURE_WINDOW_MINUTES)


def refusal(request, username: str) -> str | None:
    """The message to show instead of trying the password, or None when a sign-in may be tried."""
    recent = SignInFailure.objects.filter(at__gte=_window_start())
    address = client_address(request)
    free_at = max(
        filter(
            None,
            [
                _free_again_at(recent.filter(username__iexact=username or ""), settings.SIGN_IN_FAILURE_LIMIT),
                _free_again_at(recent.filter(address=address), settings.SIGN_IN_FAILURE_LIMIT_PER_ADDRESS)
                if address
                else None,
            ],
        ),
        default=None,
    )
    if free_at is None:
        return None
    minutes = max(1, math.ceil((free_at - timezone.now()).total_seconds() / 60))
    return ngettext(
        "Too many failed sign-ins for this user name or from this address. Try again in %(minutes)d minute.",
        "Too many failed sign-ins for this user name or from this address. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


@receiver(user_login_failed)
def _record_failure(sender, credentials, request=None, **kwargs):
    SignInFailure.objects.create(username=(credentials.get("username") or "")[:150], address=client_address(request))
    # old rows say nothing any more; keep the table small
    SignInFailure.objects.filter(at__lt=_window_start() - timedelta(days=1)).delete()


@receiver(user_logged_in)
def _clear_failures(sender, request, user, **kwargs):
    SignInFailure.objects.filter(username__iexact=user.get_username()).delete()
