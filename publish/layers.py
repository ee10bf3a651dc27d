"""What a published layer is: its records, geometry, properties and permission, and how each output reads it.

The layers themselves are declared in `catalogue.py`; tiles, exports and OGC API all read those declarations,
so a property added there appears in every output that lists it.
"""

import copy
import dataclasses
import enum
from dataclasses import dataclass

from django.contrib.gis.db.models import Collect
from django.contrib.gis.db.models.functions import Transform
from django.db import models
from django.db.models import F, FloatField, Q
from django.db.models.functions import Cast
from django.http import QueryDict
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request

from .functions import envelope, mvt_geom


class Output(enum.Flag):
    """Where a layer or a property is published."""

    EXPORT = enum.auto()
    OGC = enum.auto()
    TILE = enum.auto()


# Property types as the outputs name them (OGC API / JSON Schema); derived from the model field where there is one.
FIELD_TYPES = (
    (models.BooleanField, "boolean"),
    (models.IntegerField, "integer"),
    (models.ForeignKey, "integer"),
    (models.DecimalField, "number"),
    (models.FloatField, "number"),
    (models.DateTimeField, "datetime"),
    (models.DateField, "date"),
)


@dataclass(frozen=True)
class Property:
    """One attribute of a layer's features: a model field, a field reached through relations, or an expression."""

    name: str
    source: str | models.Expression | None = None  # ORM lookup or expression; default: the field `name`
    outputs: Output = Output.EXPORT | Output.OGC
    type: str | None = None  # only where no model field says it
    label: str | None = None  # idem

    def expression(self):
        if isinstance(self.source, models.Expression):
            return self.source
        return F(self.source or self.name)

    def model_field(self, model):
        """The model field at the end of the lookup, or None for an expression."""
        if isinstance(self.source, models.Expression):
            return None
        found = None
        for part in (self.source or self.name).split("__"):
            found = model._meta.get_field(part)
            model = found.related_model or model
        return found

    def renamed(self) -> bool:
        return self.source is not None


def filtered_queryset(viewset_class, request, params=None):
    """The API list's queryset with the list's filters applied: to `params` if given, else to the request's query.

    Invalid filters raise the API's own 400 (a DRF ValidationError).
    """
    if params is not None:
        inner = copy.copy(request._request)
        inner.GET = params
        api_request = Request(inner, authenticators=())
        api_request.user = request.user
        request = api_request
    view = viewset_class(request=request, action="list", format_kwarg=None, kwargs={})
    view.args = ()
    return view.filter_queryset(view.get_queryset())


def compiled_sql(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


@dataclass(frozen=True)
class GeometryPart:
    """The features of one geometry type in a layer that mixes them, published as a collection of its own.

    GIS clients type a layer by one geometry type (QGIS from its first features, a GeoPackage table by its
    declaration), so a mixed layer loses features there unless each type has its own collection.
    """

    suffix: str  # appended to the layer's id: sites-points
    title: str
    types: tuple[str, ...]  # the geometry types (as GEOS names them) it holds
    geometry_type: str  # the one type it declares; areas and lines are served as multi-geometries

    @property
    def multi(self) -> bool:
        return self.geometry_type.startswith("Multi")


# a site may be several points (a wind farm's turbines): the points part is MultiPoint throughout
POINTS = GeometryPart("points", _("points"), ("Point", "MultiPoint"), "MultiPoint")
AREAS = GeometryPart("areas", _("areas"), ("Polygon", "MultiPolygon"), "MultiPolygon")
LINES = GeometryPart("lines", _("lines"), ("LineString", "MultiLineString"), "MultiLineString")
PIPES = GeometryPart("pipes", _("pipes"), ("LineString", "MultiLineString"), "MultiLineString")


class GeometryType(models.Func):
    """PostGIS GeometryType(): 'POINT', 'MULTIPOLYGON', ..."""

    function = "GeometryType"
    output_field = models.CharField()


class AsMulti(models.Func):
    function = "ST_Multi"
    arity = 1


@dataclass(frozen=True)
class LayerQuery:
    """A layer's export as SQL with one geometry column `geom`."""

    sql: str
    params: tuple | dict
    # SQL (over the row alias t) for a feature id unique within the layer
    feature_id: str = "t.id"


@dataclass(frozen=True)
class Layer:
    """A published layer: the records of an API list (with its filters and visibility) drawn at one geometry."""

    id: str
    title: str
    description: str
    viewset: type  # the API viewset whose list (filters, visibility) the layer publishes
    geometry: str  # the geometry field
    geometry_types: tuple[str, ...]  # the geometry types its features can have
    properties: tuple[Property, ...]
    outputs: Output = Output.EXPORT | Output.OGC
    temporal: str | None = None  # a date field, or a year (integer) field when temporal_is_year
    temporal_is_year: bool = False
    parts: tuple[GeometryPart, ...] = ()  # one collection per geometry type, for a layer that mixes them
    part: GeometryPart | None = None  # set on such a collection: the geometry type it holds

    def by_geometry_type(self) -> tuple["Layer", ...]:
        """The layer's collections of one geometry type each (none when it has one type only)."""
        return tuple(
            dataclasses.replace(
                self,
                id=f"{self.id}-{part.suffix}",
                title=format_lazy("{} ({})", self.title, part.title),
                geometry_types=(part.geometry_type,),
                parts=(),
                part=part,
            )
            for part in self.parts
        )

    @property
    def geometry_type(self) -> str:
        """The one geometry type its features have, or "Geometry" for a layer that mixes them."""
        return self.geometry_types[0] if len(self.geometry_types) == 1 else "Geometry"

    def geometry_value(self, expression):
        """A feature's geometry as published: a part of areas or lines always as a multi-geometry."""
        return AsMulti(expression) if self.part and self.part.multi else expression

    @property
    def model(self):
        return self.viewset.queryset.model

    @property
    def permission(self) -> str:
        """The permission that lets a user read the layer: the view permission of its records."""
        return f"{self.model._meta.app_label}.view_{self.model._meta.model_name}"

    @property
    def filters(self) -> dict:
        """The API's own attribute filters (the spatial ones are each output's own)."""
        return {
            name: f for name, f in self.viewset.filterset_class.base_filters.items() if name not in {"bbox", "within"}
        }

    def list_params(self, query, extra: tuple[str, ...] = ()) -> QueryDict:
        """The API list's own filters (and the names in `extra`) picked out of a request's query, for
        outputs that take other parameters too (OGC API, WFS)."""
        params = QueryDict(mutable=True)
        for name in query:
            if name in self.filters or name in extra:
                params.setlist(name, query.getlist(name))
        return params

    def properties_for(self, output: Output) -> tuple[Property, ...]:
        return tuple(p for p in self.properties if output in p.outputs)

    def property_type(self, prop: Property) -> str:
        """The declared type, or the one of the model field the property reads."""
        if prop.type:
            return prop.type
        found = prop.model_field(self.model)
        return next((name for field_class, name in FIELD_TYPES if isinstance(found, field_class)), "string")

    def property_label(self, prop: Property) -> str:
        """The declared label, or the model field's verbose name (a property with a declared type has no field)."""
        if prop.label or prop.type:
            return prop.label or prop.name
        return prop.model_field(self.model).verbose_name

    def queryset(self, request, params=None):
        queryset = filtered_queryset(self.viewset, request, params)
        if self.part:
            types = [t.upper() for t in self.part.types]
            queryset = queryset.alias(_geometry_type=GeometryType(self.geometry)).filter(_geometry_type__in=types)
        return queryset

    # -- records as features (OGC API): one feature per record -----------------------------------------------------
    @property
    def feature_geometry(self) -> str:
        """The field (or the annotation made by with_geometry) that is one record's geometry."""
        return self.geometry

    @property
    def extent_field(self) -> str:
        return self.geometry

    def records(self, request, params=None):
        return self.queryset(request, params).order_by()

    def with_geometry(self, queryset):
        return queryset

    def in_bbox(self, queryset, box):
        return queryset.filter(**{f"{self.geometry}__intersects": box})

    # -- exports ---------------------------------------------------------------------------------------------------
    def export_query(self, request, srid: int) -> LayerQuery:
        """Every feature with a geometry, filtered like the list, in the list's order."""
        props = self.properties_for(Output.EXPORT)
        queryset = (
            self.queryset(request)
            .filter(**{f"{self.geometry}__isnull": False})
            .annotate(**{p.name: p.expression() for p in props if p.renamed()}, geom=Transform(self.geometry, srid))
            .values("id", *(p.name for p in props), "geom")
        )
        return LayerQuery(*compiled_sql(queryset))

    # -- vector tiles ------------------------------------------------------------------------------------------------
    def tile_query(self, request, z: int, x: int, y: int) -> tuple[str, tuple]:
        """SQL of one tile's features: id, the tile properties under their names, and `mvt` (the tile geometry)."""
        queryset = (
            self.queryset(request)
            .order_by()
            .filter(**{f"{self.geometry}__bboverlaps": Transform(envelope(z, x, y), 25832)})
        )
        return self._tile_sql(queryset, self.geometry, z, x, y)

    def _tile_sql(self, queryset, geometry: str, z, x, y, feature_id: str = "id"):
        props = self.properties_for(Output.TILE)
        # internal aliases, renamed outside: an annotation may not take the name of a model field
        aliases = {f"_p{i}": self._tile_value(p) for i, p in enumerate(props)}
        sql, params = compiled_sql(
            queryset.annotate(_id=F(feature_id), **aliases, mvt=mvt_geom(geometry, z, x, y)).values(
                "_id", *aliases, "mvt"
            )
        )
        names = ", ".join(f'"{alias}" AS "{p.name}"' for alias, p in zip(aliases, props))
        return f'SELECT "_id" AS "id", {names}, "mvt" FROM ({sql}) i', params

    def _tile_value(self, prop: Property):
        # MVT has no decimal type: numbers go as doubles
        if self.property_type(prop) == "number":
            return Cast(prop.expression(), FloatField())
        return prop.expression()


SITES = "memberships__organisation__sites"


class DrawnAtPartnersLayer(Layer):
    """A layer of partnerships, drawn where their organisations are: at every live site of every organisation.

    Exports and tiles have one feature per partnership and site; OGC API one feature per partnership (a MultiPoint).
    """

    @property
    def feature_geometry(self) -> str:
        return "sites"

    @property
    def geometry_type(self) -> str:
        return "MultiPoint"  # one record, all its sites

    @property
    def extent_field(self) -> str:
        return f"{SITES}__location"

    def records(self, request, params=None):
        ids = super().records(request, params).values("pk")
        return self.model.objects.filter(pk__in=ids)

    def with_geometry(self, queryset):
        return queryset.annotate(
            sites=Collect(f"{SITES}__location", filter=Q(**{f"{SITES}__archived_at__isnull": True}))
        )

    def in_bbox(self, queryset, box):
        at = self.model.objects.filter(**{f"{SITES}__location__intersects": box, f"{SITES}__archived_at__isnull": True})
        return queryset.filter(pk__in=at.values("pk"))

    def export_query(self, request, srid: int) -> LayerQuery:
        ids_sql, ids_params = compiled_sql(self.queryset(request).order_by().values("pk"))
        sql = f"""
            SELECT p.id, p.external_id, p.title, p.sector, p.status, p.signed_on, o.name AS organisation_name, o.cvr,
                   m.role, s.id AS site_id, s.name AS site_name, ST_Transform(s.location, %s) AS geom
            FROM partnerships_climatepartnership p
            JOIN partnerships_partnershiporganisation m ON m.partnership_id = p.id
            JOIN registry_organisation o ON o.id = m.organisation_id
            JOIN registry_organisationsite s ON s.organisation_id = o.id AND s.archived_at IS NULL
            WHERE p.id IN ({ids_sql})
            ORDER BY p.id, o.name, s.id"""
        return LayerQuery(sql, (srid, *ids_params), feature_id="t.id || '-' || t.site_id")

    def tile_query(self, request, z: int, x: int, y: int) -> tuple[str, tuple]:
        membership = self.model._meta.get_field("memberships").related_model
        # tile properties are declared on the partnership; here they are read from its memberships
        queryset = membership.objects.filter(
            partnership__in=self.queryset(request).order_by().values("pk"),
            organisation__sites__archived_at__isnull=True,
            organisation__sites__location__bboverlaps=Transform(envelope(z, x, y), 25832),
        )
        return self._tile_sql(queryset, "organisation__sites__location", z, x, y, feature_id="partnership_id")

    def _tile_value(self, prop: Property):
        return _from_membership(super()._tile_value(prop))


def _from_membership(expression):
    """The same expression, with lookups from a partnership rewritten as lookups from its membership."""
    if isinstance(expression, F):
        name = expression.name
        return F(name.removeprefix("memberships__") if name.startswith("memberships__") else f"partnership__{name}")
    expression = copy.deepcopy(expression)
    expression.set_source_expressions([_from_membership(e) for e in expression.get_source_expressions()])
    return expression
