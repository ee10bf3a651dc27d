"""Geometry rules shared by every spatial record: not too detailed, valid, not empty, and in Denmark.

The vertex limit (settings.MAX_GEOMETRY_VERTICES) is checked first, before the tests that cost time
in proportion to the geometry, so a geometry a million vertices long is refused at once.

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
from django.utils.formats import number_format
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
            "The coordinates look swapped: x and y are in the wrong order (expected easting first, then northing)."
        )
    if geom.srid != 4326 and abs(x) <= 180 and abs(y) <= 90:
        if _in_denmark(Point(x, y, srid=4326)) or _in_denmark(Point(y, x, srid=4326)):
            return _(
                "The coordinates look like degrees of longitude/latitude (EPSG:4326) but were given in EPSG:%(srid)s."
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
    return _("The geometry lies outside Denmark, about %(km).0f km from Danish land or waters.") % {
        "km": max(distance_km, 1)
    }


def too_many_vertices(count: int) -> ValidationError | None:
    """The error for a geometry of `count` vertices, when that is more than the limit."""
    limit = settings.MAX_GEOMETRY_VERTICES
    if count <= limit:
        return None
    return ValidationError(
        _(
            "The geometry has %(count)s vertices; at most %(limit)s are allowed. Simplify it "
            "(e.g. in QGIS: Vector > Geometry Tools > Simplify) and try again."
        )
        % {"count": number_format(count, force_grouping=True), "limit": number_format(limit, force_grouping=True)},
        code="too_many_vertices",
    )


def validate_geometry(geom: GEOSGeometry, allowed_types: tuple[str, ...] | None = None) -> GEOSGeometry:
    """Return the geometry in the storage CRS, or raise ValidationError naming the cause."""
    if error := too_many_vertices(geom.num_coords):  # first: every test below costs time per vertex
        raise error
    if geom.empty:  # before anything else: an empty point has no WKB
        raise ValidationError(_("The geometry is empty."), code="empty")
    if geom.srid is None:
        geom = GEOSGeometry(geom.wkb, srid=settings.STORAGE_SRID)
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


@cache
def _extent_shapely():
    import shapely

    extent = shapely.from_wkb(bytes(denmark_extent_geom().wkb))
    shapely.prepare(extent)
    return extent


GEOMETRY_TYPE_NAMES = (
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
    "",  # missing
)


def _types_allowed(flat, allowed_types):
    import numpy as np
    import shapely

    types = np.asarray(shapely.get_type_id(flat))
    type_names = np.array(GEOMETRY_TYPE_NAMES)[np.where(types < 0, len(GEOMETRY_TYPE_NAMES) - 1, types)]
    if isinstance(allowed_types, tuple) or allowed_types is None:
        return np.isin(type_names, allowed_types) if allowed_types else np.ones(len(flat), bool)
    return np.array([name in allowed for name, allowed in zip(type_names, allowed_types)], dtype=bool)


def validate_geometries(geometries, source_crs, allowed_types) -> tuple[list, list]:
    """The vectorised twin of validate_geometry, for whole files: (geometries in the storage CRS, messages).

    `geometries` are shapely objects (None where missing) in `source_crs`; `allowed_types` is one
    tuple for all rows or one per row. Checks run on whole arrays; only the rows that fail go
    through validate_geometry, so their messages are the very ones the forms and the API give.
    """
    import geopandas as gpd
    import numpy as np
    import shapely

    geometries = np.asarray(geometries, dtype=object)
    count = len(geometries)
    messages = [None] * count
    missing = shapely.is_missing(geometries)
    vertices = np.asarray(shapely.get_num_coordinates(np.where(missing, None, geometries)))
    too_many = vertices > settings.MAX_GEOMETRY_VERTICES
    for i in np.flatnonzero(too_many):
        messages[i] = too_many_vertices(int(vertices[i])).messages[0]
    missing |= too_many  # refused already: kept out of the tests below, which cost time per vertex
    flat = np.where(missing, None, geometries)
    if shapely.has_z(flat).any():
        flat = shapely.force_2d(flat)
    empty = missing | shapely.is_empty(flat)
    type_ok = _types_allowed(flat, allowed_types)
    valid = np.asarray(shapely.is_valid(flat), dtype=bool)
    stored = np.asarray(gpd.GeoSeries(flat, crs=source_crs).to_crs(settings.STORAGE_SRID).values, dtype=object)
    inside = np.zeros(count, bool)
    checkable = ~empty & valid
    inside[checkable] = shapely.covers(_extent_shapely(), stored[checkable])
    source_srid = source_crs.to_epsg() if hasattr(source_crs, "to_epsg") else None
    for i in np.flatnonzero((empty | ~type_ok | ~valid | ~inside) & ~too_many):
        if empty[i]:
            messages[i] = _("The geometry is empty.")
            continue
        geom = (
            GEOSGeometry(memoryview(shapely.to_wkb(flat[i])), srid=source_srid)
            if source_srid
            else GEOSGeometry(memoryview(shapely.to_wkb(stored[i])), srid=settings.STORAGE_SRID)
        )
        allowed = allowed_types if isinstance(allowed_types, tuple) or allowed_types is None else allowed_types[i]
        try:
            # pyproj and GDAL may disagree by a hair at the very border: the single-geometry rule decides.
            stored[i] = shapely.from_wkb(bytes(validate_geometry(geom, allowed).wkb))
        except ValidationError as error:
            messages[i] = error.messages[0]
            stored[i] = None
    return stored, messages
