"""Parsing of the /ogc/ query parameters, kept apart from the views so each rule of the standard is in one place.

Every error is a ValidationError keyed by the parameter, which the views turn into an OGC exception document.
"""

import math
from datetime import date, datetime
from functools import cache

import pyproj
import shapely
from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from core.validators import ASCII_DIGITS
from gis.validation import denmark_extent_geom

from .collections import CRS84, CRS_SRID, bbox_in_crs84
from .openapi import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT


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


def reject_empty(params, may_be_empty: set[str]) -> None:
    """An empty value is an error, not "no filter" as django-filter has it: a client sending organisation=
    meant something, and an OGC server says which parameter was invalid (/req/core/query-param-invalid)."""
    empty = sorted(name for name in params if name not in may_be_empty and "" in params.getlist(name))
    if empty:
        raise ValidationError({name: [_("Give a value, or leave the parameter out.")] for name in empty})


def parse_limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    significant = value.lstrip("0")
    if not ASCII_DIGITS.fullmatch(value) or not significant:
        raise ValidationError({"limit": [_("limit must be a whole number from 1.")]})
    # above the maximum: the maximum (Part 1, /req/core/fc-limit-response); compared by length first, as
    # Python refuses int() of more than 4,300 digits
    return MAX_LIMIT if len(significant) > len(str(MAX_LIMIT)) else min(int(significant), MAX_LIMIT)


def parse_after(value: str) -> int:
    """The paging cursor: the id of the last feature of the previous page ("0" for the first page)."""
    if not ASCII_DIGITS.fullmatch(value):
        raise ValidationError({"after": [_("after must be a feature id.")]})
    if len(value.lstrip("0")) > len(str(MAX_ID)) or int(value) > MAX_ID:
        raise ValidationError({"after": [_("after is larger than any feature id.")]})
    return int(value)


def parse_feature_id(value: str) -> int | None:
    """The {featureId} of a path as an id, or None where no feature can have it (the view's 404)."""
    if not ASCII_DIGITS.fullmatch(value) or len(value.lstrip("0")) > len(str(MAX_ID)) or int(value) > MAX_ID:
        return None
    return int(value)


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
    """bbox=minx,miny,maxx,maxy (heights, as a 6-number bbox has them, are dropped: the registry is 2D)."""
    parts = value.split(",")
    if len(parts) not in {4, 6}:
        raise ValidationError(
            {
                "bbox": [
                    _("bbox takes 4 numbers (minx,miny,maxx,maxy) or 6 with heights; got %(count)d.")
                    % {"count": len(parts)}
                ]
            }
        )
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise ValidationError(
            {"bbox": [_("bbox takes numbers separated by commas; got %(value)s.") % {"value": value}]}
        )
    if not all(math.isfinite(n) for n in numbers):
        raise ValidationError({"bbox": [_("bbox takes finite numbers, not NaN or infinity.")]})
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    west, south, east, north = numbers
    if west > east or south > north:
        raise ValidationError({"bbox": [_("Use bbox=minx,miny,maxx,maxy with min <= max.")]})
    if srid == 4326 and not (-180 <= west and east <= 180 and -90 <= south and north <= 90):
        raise ValidationError(
            {"bbox": [_("In CRS84 a bbox is longitude -180 to 180 then latitude -90 to 90; use bbox-crs for metres.")]}
        )
    box = Polygon.from_bbox(numbers)
    box.srid = srid
    return box


@cache
def _denmark_in_crs84() -> tuple[float, float, float, float]:
    """Denmark's lon/lat box, a degree to spare on each side (UTM 32N is still exact there)."""
    west, south, east, north = bbox_in_crs84(denmark_extent_geom().extent)
    return west - 1, south - 1, east + 1, north + 1


def box_in_storage(box: Polygon) -> Polygon | None:
    """The query box in the storage CRS, or None when it misses Denmark (where every record lies).

    A lon/lat box is first cut to Denmark's, because UTM 32N cannot project the whole globe (the world box
    came out as a line through 9 degrees east, which missed every record), and its edges are densified so
    the parallels stay curved.
    """
    if box.srid == settings.STORAGE_SRID:
        return box
    west, south, east, north = box.extent
    dk_west, dk_south, dk_east, dk_north = _denmark_in_crs84()
    west, south, east, north = max(west, dk_west), max(south, dk_south), min(east, dk_east), min(north, dk_north)
    if west > east or south > north:
        return None
    outline = shapely.box(west, south, east, north)
    if outline.area > 0:
        outline = shapely.segmentize(outline, max_segment_length=max(east - west, north - south) / 20)
    transformer = pyproj.Transformer.from_crs(box.srid, settings.STORAGE_SRID, always_xy=True)
    x, y = transformer.transform(*shapely.get_coordinates(outline).T)
    return Polygon(list(zip(x.tolist(), y.tolist())), srid=settings.STORAGE_SRID)


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
