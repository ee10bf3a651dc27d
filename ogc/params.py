"""Parsing of the /ogc/ query parameters, kept apart from the views so each rule of the standard is in one place.

Every error is a ValidationError keyed by the parameter, which the views turn into an OGC exception document.
"""

from datetime import date, datetime

from django.contrib.gis.geos import Polygon
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from .collections import CRS84, CRS_SRID
from .openapi import DEFAULT_LIMIT, MAX_LIMIT


def reject_unknown(params, allowed: set[str]) -> None:
    """Unknown parameters are an error (Part 1, /req/core/query-param-unknown), naming what is accepted."""
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValidationError(
            {
                name: [
                    _("Unknown parameter; this collection takes %(allowed)s.") % {"allowed": ", ".join(sorted(allowed))}
                ]
                for name in unknown
            }
        )


def parse_limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not value.isdigit() or int(value) < 1:
        raise ValidationError({"limit": [_("limit must be a whole number from 1.")]})
    return min(int(value), MAX_LIMIT)  # above the maximum: the maximum (Part 1, /req/core/fc-limit-response)


def parse_after(value: str) -> str:
    """The paging cursor: the id of the last feature of the previous page ("0" for the first page)."""
    if not value.isdigit():
        raise ValidationError({"after": [_("after must be a feature id.")]})
    return value


def parse_crs(value: str | None, name: str) -> int:
    if value is None:
        return 4326
    uri = value.strip().strip("[]")
    if uri not in CRS_SRID:
        raise ValidationError(
            {
                name: [
                    _("Unsupported CRS %(crs)s; use one of %(offered)s.")
                    % {"crs": value, "offered": ", ".join(CRS_SRID)}
                ]
            }
        )
    return CRS_SRID[uri]


def crs_uri(srid: int) -> str:
    """The URI for the Content-Crs header: the inverse of parse_crs, with CRS84 for 4326."""
    return CRS84 if srid == 4326 else next(uri for uri, s in CRS_SRID.items() if s == srid)


def parse_bbox(value: str, srid: int) -> Polygon:
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) == 6:  # with heights: the registry is 2D
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or numbers[0] > numbers[2] or numbers[1] > numbers[3]:
        raise ValidationError({"bbox": [_("Use bbox=minx,miny,maxx,maxy with min <= max.")]})
    box = Polygon.from_bbox(numbers)
    box.srid = srid
    return box


def _instant(text: str) -> date | None:
    if text in {"", ".."}:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("z", "Z")).date()
    except ValueError:
        raise ValidationError(
            {"datetime": [_("Use an RFC 3339 date or date-time, or an interval start/end (.. for an open end).")]}
        )


def parse_datetime(value: str) -> tuple[date | None, date | None]:
    if "/" in value:
        start, end = value.split("/", 1)
        if start in {"", ".."} and end in {"", ".."}:
            raise ValidationError({"datetime": [_("An interval needs at least one end.")]})
        first, last = _instant(start), _instant(end)
        if first and last and first > last:
            raise ValidationError({"datetime": [_("The interval ends before it starts.")]})
        return first, last
    instant = _instant(value)
    if instant is None:
        raise ValidationError({"datetime": [_("Give a date, a date-time or an interval.")]})
    return instant, instant
