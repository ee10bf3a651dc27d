"""Mapbox vector tiles from PostGIS: one query per tile (filter by the tile envelope, ST_AsMVTGeom,
ST_AsMVT), filtered like the layer's API list, cached under the layer's version."""
import hashlib

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import Transform
from django.core.cache import caches
from django.db import connection
from django.db.models import F, FloatField, Func, IntegerField, Value
from django.db.models.functions import Cast, ExtractYear

from .layers import compiled_sql, filtered_queryset
from .models import LayerVersion

EXTENT, BUFFER = 4096, 64
MAX_ZOOM = 22


class TileEnvelope(Func):
    function = "ST_TileEnvelope"
    output_field = GeometryField(srid=3857)


class AsMVTGeom(Func):
    function = "ST_AsMVTGeom"
    output_field = GeometryField(srid=3857)


def envelope(z: int, x: int, y: int) -> TileEnvelope:
    return TileEnvelope(Value(z, IntegerField()), Value(x, IntegerField()), Value(y, IntegerField()))


def _mvt_geom(field: str, z, x, y):
    return AsMVTGeom(Transform(field, 3857), envelope(z, x, y), Value(EXTENT), Value(BUFFER), Value(True))


def sites_rows(request, z, x, y):
    from registry.api.views import EnergySiteViewSet

    return filtered_queryset(EnergySiteViewSet, request).order_by().filter(
        geometry__bboverlaps=Transform(envelope(z, x, y), 25832),
    ).annotate(mvt=_mvt_geom("geometry", z, x, y), capacity_value=Cast("capacity", FloatField())).values(
        "id", "name", "site_type", "planning_status", "capacity_value", "capacity_unit", "municipality_code", "mvt")


def symbioses_rows(request, z, x, y):
    from registry.api.views import HeatSymbiosisViewSet

    return filtered_queryset(HeatSymbiosisViewSet, request).order_by().filter(
        pipe_route__bboverlaps=Transform(envelope(z, x, y), 25832),
    ).annotate(mvt=_mvt_geom("pipe_route", z, x, y), source=F("source_organisation__name"),
               mw=Cast("capacity_mw", FloatField()), mwh_per_yr=Cast("heat_mwh_per_yr", FloatField())).values(
        "id", "name", "status", "mw", "mwh_per_yr", "receiving_network", "source", "mvt")


def partnerships_rows(request, z, x, y):
    """A partnership is drawn at every site of its organisations."""
    from partnerships.api.views import PartnershipViewSet
    from partnerships.models import PartnershipOrganisation

    partnerships = filtered_queryset(PartnershipViewSet, request).order_by().values("pk")
    return PartnershipOrganisation.objects.filter(
        partnership__in=partnerships, organisation__sites__archived_at__isnull=True,
        organisation__sites__location__bboverlaps=Transform(envelope(z, x, y), 25832),
    ).annotate(
        mvt=_mvt_geom("organisation__sites__location", z, x, y), pid=F("partnership_id"),
        title=F("partnership__title"), sector=F("partnership__sector"), status=F("partnership__status"),
        year_signed=Cast(ExtractYear("partnership__signed_on"), IntegerField()),
        organisation_name=F("organisation__name"),
        site_name=F("organisation__sites__name"),
    ).values("pid", "title", "sector", "status", "year_signed", "organisation_name", "role", "site_name", "mvt")


LAYERS = {"sites": sites_rows, "symbioses": symbioses_rows, "partnerships": partnerships_rows}
MODELS = {"sites": "registry.view_energysite", "symbioses": "registry.view_heatsymbiosis",
          "partnerships": "partnerships.view_climatepartnership"}


def render_tile(layer: str, request, z: int, x: int, y: int) -> bytes:
    sql, params = compiled_sql(LAYERS[layer](request, z, x, y))
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
