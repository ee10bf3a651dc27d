"""PostGIS functions for vector tiles that Django does not ship."""

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import Transform
from django.db.models import Func, IntegerField, Value

EXTENT, BUFFER = 4096, 64


class TileEnvelope(Func):
    function = "ST_TileEnvelope"
    output_field = GeometryField(srid=3857)


class AsMVTGeom(Func):
    function = "ST_AsMVTGeom"
    output_field = GeometryField(srid=3857)


def envelope(z: int, x: int, y: int) -> TileEnvelope:
    return TileEnvelope(Value(z, IntegerField()), Value(x, IntegerField()), Value(y, IntegerField()))


def mvt_geom(field: str, z, x, y):
    """The geometry in the tile's own coordinates (EXTENT units, clipped with BUFFER)."""
    return AsMVTGeom(Transform(field, 3857), envelope(z, x, y), Value(EXTENT), Value(BUFFER), Value(True))
