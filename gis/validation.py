"""Geometry rules shared by every spatial record: valid, not empty, and in Denmark.

The Danish extent (land buffered 1 km plus a drawn outline of Danish waters, built by
gis/data/build.py) lets offshore wind through but rejects Germany, Sweden and 0,0.
When a geometry falls outside, we try the usual mistakes (swapped axes, degrees given
as metres) so the message can name the likely cause.
"""
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EXTENT_FILE = Path(__file__).parent / "data" / "denmark_extent.geojson"


@cache
def denmark_extent_geom() -> GEOSGeometry:
    """Danish land and waters in the storage CRS."""
    from django.contrib.gis.gdal import DataSource

    geom = DataSource(str(EXTENT_FILE))[0][0].geom.geos
    geom.srid = settings.STORAGE_SRID
    return geom


@cache
def denmark_extent():
    """The extent prepared for fast containment tests."""
    return denmark_extent_geom().prepared


def _to_storage(geom: GEOSGeometry) -> GEOSGeometry | None:
    try:
        return geom.transform(settings.STORAGE_SRID, clone=True)
    except (GDALException, GEOSException):
        return None


def _in_denmark(geom: GEOSGeometry) -> bool:
    stored = _to_storage(geom)
    return stored is not None and denmark_extent().covers(stored)


def _diagnose_outside(geom: GEOSGeometry) -> str:
    point = geom.point_on_surface
    x, y = point.x, point.y
    if abs(x) < 1e-6 and abs(y) < 1e-6:
        return _("The coordinates are 0,0, which usually means they are missing.")
    if _in_denmark(Point(y, x, srid=geom.srid)):
        if geom.srid == 4326:
            return _(
                "The coordinates look swapped: latitude and longitude are in the wrong order "
                "(expected longitude first, then latitude)."
            )
        return _(
            "The coordinates look swapped: x and y are in the wrong order "
            "(expected easting first, then northing)."
        )
    if geom.srid != 4326 and abs(x) <= 180 and abs(y) <= 90:
        if _in_denmark(Point(x, y, srid=4326)) or _in_denmark(Point(y, x, srid=4326)):
            return _(
                "The coordinates look like degrees of longitude/latitude (EPSG:4326) "
                "but were given in EPSG:%(srid)s."
            ) % {"srid": geom.srid}
    if geom.srid == 4326 and (abs(x) > 180 or abs(y) > 90):
        return _(
            "The coordinates look like metres (e.g. EPSG:25832) but were given as "
            "degrees of longitude/latitude (EPSG:4326)."
        )
    stored = _to_storage(point)
    if stored is None:
        return _("The coordinates cannot be transformed to EPSG:%(srid)s.") % {"srid": settings.STORAGE_SRID}
    distance_km = stored.distance(denmark_extent_geom()) / 1000
    return _(
        "The geometry lies outside Denmark, about %(km).0f km from Danish land or waters."
    ) % {"km": max(distance_km, 1)}


def validate_geometry(geom: GEOSGeometry, allowed_types: tuple[str, ...] | None = None) -> GEOSGeometry:
    """Return the geometry in the storage CRS, or raise ValidationError naming the cause."""
    if geom.srid is None:
        geom = GEOSGeometry(geom.wkb, srid=settings.STORAGE_SRID)
    if geom.empty:
        raise ValidationError(_("The geometry is empty."), code="empty")
    if allowed_types and geom.geom_type not in allowed_types:
        raise ValidationError(
            _("A %(given)s is not allowed here; expected %(allowed)s.")
            % {"given": geom.geom_type, "allowed": ", ".join(allowed_types)},
            code="geometry_type",
        )
    if not geom.valid:
        raise ValidationError(
            _("The geometry is not valid: %(reason)s.") % {"reason": geom.valid_reason}, code="invalid"
        )
    stored = _to_storage(geom)
    if stored is None or not denmark_extent().covers(stored):
        raise ValidationError(_diagnose_outside(geom), code="outside_denmark")
    return stored


def clean_geometry_field(instance, field: str, allowed_types: tuple[str, ...] | None = None) -> None:
    """Validate instance.<field> in place (for Model.clean), reporting errors under the field."""
    value = getattr(instance, field)
    if value is None:
        return
    try:
        setattr(instance, field, validate_geometry(value, allowed_types))
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from error
