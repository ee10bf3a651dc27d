"""PostGIS functions for vector tiles that Django does not ship."""

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import Transform
from django.db.models import Func, IntegerField, Value

EXTENT, BUFFER = 4096, 64
WEB_MERCATOR_WIDTH_M = 40_075_016.686  # the world's width in EPSG:3857: one tile at zoom 0


class TileEnvelope(Func):
    function = "ST_TileEnvelope"
    output_field = GeometryField(srid=3857)


class Simplify(Func):
    """ST_Simplify keeping what collapses (a small polygon stays a polygon, a short line a line)."""

    function = "ST_Simplify"
    output_field = GeometryField(srid=3857)

    def __init__(self, expression, tolerance: float):
        super().__init__(expression, Value(tolerance), Value(True))


class AsMVTGeom(Func):
    function = "ST_AsMVTGeom"
    output_field = GeometryField(srid=3857)


def envelope(z: int, x: int, y: int) -> TileEnvelope:
    return TileEnvelope(Value(z, IntegerField()), Value(x, IntegerField()), Value(y, IntegerField()))


def tile_unit_m(z: int) -> float:
    """One unit of a tile's coordinates at zoom z, in EPSG:3857 metres."""
    return WEB_MERCATOR_WIDTH_M / 2**z / EXTENT


def mvt_geom(field: str, z, x, y):
    """The geometry in the tile's own coordinates (EXTENT units, clipped with BUFFER).

    Simplified to one tile unit first: finer detail cannot show, and ST_AsMVTGeom's own snapping and
    validity repair of an outline of tens of thousands of vertices cost hundreds of ms in every tile.
    """
    geom = Simplify(Transform(field, 3857), tile_unit_m(z))
    return AsMVTGeom(geom, envelope(z, x, y), Value(EXTENT), Value(BUFFER), Value(True))
