"""The catalogue's layers as OGC API - Features collections.

Each collection reads through its layer's API list (same visibility and the same attribute filters as
/api/), then pages by id (keyset: `after=<last id>`), so a page costs the same at row 100 and at
row 100,000 and nothing counts the whole layer.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import Max, Min, Q

from gis.crs import PRECISION
from publish.catalogue import published
from publish.layers import Layer, Output

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
# The CRSs every collection offers (Part 2): the default CRS84 (lon/lat) and the Danish UTM 32N.
CRS_SRID = {CRS84: 4326, EPSG_URI.format(25832): 25832}
STORAGE_CRS = EPSG_URI.format(25832)
# Property types as JSON Schema says them (OGC API - Features Part 5, schemas).
JSON_SCHEMA_TYPES = {
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "string": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
}


@dataclass(frozen=True)
class Collection:
    """A layer of the catalogue, as OGC API sees it: one feature per record, its OGC properties."""

    layer: Layer

    id = property(lambda self: self.layer.id)
    title = property(lambda self: self.layer.title)
    description = property(lambda self: self.layer.description)
    model = property(lambda self: self.layer.model)
    filters = property(lambda self: self.layer.filters)
    temporal = property(lambda self: self.layer.temporal)
    temporal_is_year = property(lambda self: self.layer.temporal_is_year)

    @property
    def properties(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.layer.properties_for(Output.OGC))

    def property_schemas(self) -> dict:
        """Each property's JSON Schema type and title, from the catalogue: clients need not guess types from the
        first page, where a nullable number may be empty throughout."""
        return {
            prop.name: {
                "title": str(self.layer.property_label(prop)),
                **JSON_SCHEMA_TYPES[self.layer.property_type(prop)],
            }
            for prop in self.layer.properties_for(Output.OGC)
        }

    def schema(self, schema_id: str) -> dict:
        """The features' schema as OGC API - Features Part 5 has it: the properties and the geometry's type."""
        geometry = {
            "x-ogc-role": "primary-geometry",
            "format": f"geometry-{self.layer.geometry_type.lower().replace('geometry', 'any')}",
        }
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": schema_id,
            "type": "object",
            "title": str(self.title),
            "properties": {"geometry": geometry, **self.property_schemas()},
        }

    def feature_schema(self, schema_id: str = "") -> dict:
        """A feature as GeoJSON, in JSON Schema: what `describedby` points at, and what GDAL reads field types from."""
        return {
            **({"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": schema_id} if schema_id else {}),
            "type": "object",
            "title": str(self.title),
            "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "integer"},
                "geometry": {"type": "object"},
                "properties": {"type": "object", "properties": self.property_schemas()},
            },
        }

    def base_queryset(self, request, api_params):
        """The list endpoint's records with the API filters in `api_params` applied (a 400 when invalid)."""
        return self.layer.records(request, api_params)

    def in_bbox(self, queryset, box):
        return self.layer.in_bbox(queryset, box)

    def rows(self, queryset, srid: int):
        """Values for features: id, GeoJSON geometry text, then the properties."""
        props = self.layer.properties_for(Output.OGC)
        renames = {p.name: p.expression() for p in props if p.renamed()}
        plain = [p.name for p in props if not p.renamed()]
        return (
            self.layer.with_geometry(queryset)
            .annotate(
                _geometry=AsGeoJSON(
                    self.layer.geometry_value(Transform(self.layer.feature_geometry, srid)), precision=PRECISION[srid]
                )
            )
            .values("pk", "_geometry", *plain, **renames)
        )

    def extent(self, queryset) -> dict:
        """Spatial extent in CRS84 and, where records have dates, the temporal extent."""
        aggregates = {"box": Extent(self.layer.extent_field)}
        if self.temporal:
            aggregates |= {"first": Min(self.temporal), "last": Max(self.temporal)}
        found = queryset.aggregate(**aggregates)
        extent = {
            "spatial": {"bbox": [bbox_in_crs84(found["box"])] if found["box"] else [[-180, -90, 180, 90]], "crs": CRS84}
        }
        if self.temporal:
            first, last = found["first"], found["last"]
            if self.temporal_is_year:
                first = f"{first}-01-01T00:00:00Z" if first else None
                last = f"{last}-12-31T23:59:59Z" if last else None
            else:
                first = f"{first.isoformat()}T00:00:00Z" if first else None
                last = f"{last.isoformat()}T23:59:59Z" if last else None
            extent["temporal"] = {
                "interval": [[first, last]],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            }
        return extent

    def within_dates(self, queryset, start: date | None, end: date | None):
        """Records whose date (or year) falls in [start, end]; open ends are None."""
        if not self.temporal:
            return queryset  # no dates: every record matches (OGC API - Features, /req/core/fc-time-response)
        condition = Q(**{f"{self.temporal}__isnull": False})
        if start:
            condition &= Q(**{f"{self.temporal}__gte": start.year if self.temporal_is_year else start})
        if end:
            condition &= Q(**{f"{self.temporal}__lte": end.year if self.temporal_is_year else end})
        return queryset.filter(condition)


def bbox_in_crs84(box) -> list[float]:
    """An EPSG:25832 extent as lon/lat, with the edges densified so the curved sides stay inside."""
    import pyproj
    import shapely

    outline = shapely.box(*box)
    if outline.area > 0:  # a single point (or a row of them) has no sides to densify
        outline = shapely.segmentize(outline, max_segment_length=max(box[2] - box[0], box[3] - box[1]) / 20)
    transformer = pyproj.Transformer.from_crs(25832, 4326, always_xy=True)
    lon, lat = transformer.transform(*shapely.get_coordinates(outline).T)
    return [round(float(v), 6) for v in (lon.min(), lat.min(), lon.max(), lat.max())]


COLLECTIONS = {layer_id: Collection(layer) for layer_id, layer in published(Output.OGC, by_geometry_type=True).items()}
