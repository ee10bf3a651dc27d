"""Spatial filters every spatial list and export understands: bbox, within a polygon, in the municipality."""

import math

import django_filters
from django.conf import settings
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Polygon
from django.db.models import Subquery
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from .models import Municipality


def parse_bbox(value: str) -> Polygon:
    """'minx,miny,maxx,maxy' in EPSG:4326, or in EPSG:25832 when the numbers are metres."""
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        numbers = []
    if not all(math.isfinite(n) for n in numbers):  # NaN passes every comparison below
        raise ValidationError({"bbox": [_("bbox takes finite numbers, not NaN or infinity.")]})
    if len(numbers) != 4 or numbers[0] >= numbers[2] or numbers[1] >= numbers[3]:
        raise ValidationError({"bbox": [_("Use bbox=minx,miny,maxx,maxy with min < max.")]})
    srid = 4326 if all(abs(n) <= 180 for n in numbers) else settings.STORAGE_SRID
    bbox = Polygon.from_bbox(numbers)
    bbox.srid = srid
    return bbox


def parse_polygon(value: str) -> GEOSGeometry:
    """A polygon as GeoJSON or WKT (EWKT with SRID=25832 for metres); EPSG:4326 unless it says otherwise."""
    try:
        geom = GEOSGeometry(value)
    except (GEOSException, ValueError, TypeError):
        raise ValidationError({"within": [_("Give a polygon as GeoJSON or WKT.")]})
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.empty or not geom.valid:
        raise ValidationError({"within": [_("Give a valid, non-empty polygon.")]})
    if geom.srid is None:
        geom.srid = 4326
    return geom


class SpatialFilterSet(django_filters.FilterSet):
    """Mixed into a FilterSet whose model has the geometry field named by `geometry_field`."""

    geometry_field = "geometry"
    bbox = django_filters.CharFilter(method="filter_bbox", label="bbox=minx,miny,maxx,maxy (EPSG:4326 or 25832)")
    within = django_filters.CharFilter(method="filter_within", label="a polygon (GeoJSON or WKT)")
    in_municipality = django_filters.CharFilter(
        method="filter_municipality", label="municipality code (e.g. 0851), or 'true' for this installation's"
    )

    def filter_bbox(self, queryset, name, value):
        return queryset.filter(**{f"{self.geometry_field}__intersects": parse_bbox(value)})

    def filter_within(self, queryset, name, value):
        return queryset.filter(**{f"{self.geometry_field}__intersects": parse_polygon(value)})

    def filter_municipality(self, queryset, name, value):
        code = settings.HOME_MUNICIPALITY_CODE if value.lower() in {"true", "1", "yes"} else value
        area = Municipality.objects.filter(code=code)
        if not area.exists():
            raise ValidationError({"in_municipality": [_("Unknown municipality code %(code)s.") % {"code": code}]})
        return queryset.filter(**{f"{self.geometry_field}__intersects": Subquery(area.values("geom")[:1])})
