"""Mapbox vector tiles from PostGIS: one query per tile (filter by the tile envelope, ST_AsMVTGeom,
ST_AsMVT), filtered like the layer's API list, cached under the layer's version."""

import hashlib

from django.core.cache import caches
from django.db import connection

from gis.models import LayerVersion

from .catalogue import published
from .functions import EXTENT
from .layers import Output

MAX_ZOOM = 22
TILE_LAYERS = published(Output.TILE)


def render_tile(layer: str, request, z: int, x: int, y: int) -> bytes:
    sql, params = TILE_LAYERS[layer].tile_query(request, z, x, y)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ST_AsMVT(t, %s, {EXTENT}, 'mvt') FROM ({sql}) t", (layer, *params))
        tile = cursor.fetchone()[0]
    return bytes(tile) if tile else b""


def layer_version(layer: str) -> int:
    with connection.cursor() as cursor:  # on every tile request: plain SQL, no ORM compilation
        cursor.execute("SELECT version FROM geo_layerversion WHERE layer = %s", [layer])
        row = cursor.fetchone()
    version = row[0] if row else None
    if version is None:  # a flushed database: recreate the counter the triggers bump
        version = LayerVersion.objects.get_or_create(layer=layer)[0].version
    return version


def cache_key(layer: str, version: int, z: int, x: int, y: int, query: str) -> str:
    digest = hashlib.sha1(query.encode()).hexdigest()[:16]
    return f"tile:{layer}:{version}:{z}/{x}/{y}:{digest}"


def cached_tile(layer: str, request, z: int, x: int, y: int) -> tuple[bytes, str]:
    """The tile and its ETag; rendered only if the layer changed since it was cached."""
    version = layer_version(layer)
    query = "&".join(sorted(f"{k}={v}" for k, values in request.GET.lists() for v in values))
    key = cache_key(layer, version, z, x, y, query)
    cache = caches["tiles"]
    tile = cache.get(key)
    if tile is None:
        tile = render_tile(layer, request, z, x, y)
        cache.set(key, tile)
    return tile, f'"{key.split(":", 1)[1].replace(":", "-").replace("/", "-")}"'
