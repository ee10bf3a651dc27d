"""The database unavailable (restarting, failing over, unreachable) is a clean 503 with Retry-After, not a 500.

Recovery needs nothing from us: Django closes a connection that failed when its request ends
(`close_old_connections` on `request_finished`: errors occurred and `is_usable()` fails), and with
CONN_HEALTH_CHECKS it checks a persistent connection before its first use in a request; either way the next
request connects afresh, so the app recovers by itself once the database is back (tests/test_db_restart.py).

Only connection-level failures count: a deadlock, a cancelled statement or a lock timeout is an
OperationalError too, but the database is there, and that stays a 500 with its traceback in the log.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# SQLSTATEs that mean "no database to talk to": connection exceptions (class 08), the server shutting down
# or starting up (57P01-57P03), too many connections (53300). None: the client library lost or never had one.
UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


def database_unavailable(exception) -> bool:
    if not isinstance(exception, (OperationalError, InterfaceError)):
        return False
    cause = exception.__cause__  # Django re-raises the driver's exception as its own, from the original
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return isinstance(exception, InterfaceError) or sqlstate is None or sqlstate.startswith(UNAVAILABLE_SQLSTATES)


def wants_json(request) -> bool:
    """The API and the tiles always answer JSON; elsewhere whatever the client asks for, HTML by default."""
    if request.path.startswith(("/api/", "/tiles/")):
        return True
    accept = request.headers.get("Accept", "")
    if "text/html" in accept or request.GET.get("f") == "html":
        return False
    return request.path.startswith("/ogc/") or "application/json" in accept


def unavailable_response(request):
    message = _("The database is unavailable; try again shortly.")
    if wants_json(request):
        response = JsonResponse({"detail": message}, status=503)
    else:
        title = _("Service unavailable")
        response = HttpResponse(
            f'<!doctype html><html lang="{escape(get_language() or "en")}"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head>"
            f"<body><h1>{escape(title)}</h1><p>{escape(message)}</p></body></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"  # a proxy must not keep serving the outage
    return response


class DatabaseUnavailableMiddleware:
    """503 for a database that is not there, wherever in the request it shows.

    From a view (DRF views included: an OperationalError is no APIException, so DRF re-raises it):
    process_exception answers at once. From another middleware (a session saved, a user loaded): Django has
    already turned it into a 500 in that middleware's wrapper, so the exception is noted on the request
    (got_request_exception) and the 500 is replaced on the way out. Place it near the top of MIDDLEWARE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_database_unavailable", False):
            return unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if not database_unavailable(exception):
            return None
        logger.warning(
            "Database unavailable, answered 503: %s %s: %s",
            request.method,
            request.path,
            str(exception).strip().splitlines()[0] if str(exception).strip() else type(exception).__name__,
        )
        return unavailable_response(request)


def _note_database_unavailable(sender, request=None, **kwargs):
    if request is not None and database_unavailable(sys.exc_info()[1]):
        request._database_unavailable = True


got_request_exception.connect(_note_database_unavailable, dispatch_uid="config.db_unavailable")
