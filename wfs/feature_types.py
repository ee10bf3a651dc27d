"""The catalogue's layers as django-gisserver feature types: names, fields and types as the catalogue declares them.

Each feature type reads its layer's records (the API list's visibility and filters) for the request's user. Fields
are typed by `Layer.property_type` (integer, number, date, ...), not by the model field's class, and the geometry
by `Layer.geometry_type`, so a part of a mixed layer declares e.g. gml:MultiSurfacePropertyType and clients type
nullable fields and geometry columns right from DescribeFeatureType.
"""

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import Transform
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import ExpressionWrapper, F
from gisserver.crs import CRS, WGS84
from gisserver.db import Box2D, ST_SetSRID
from gisserver.features import XSD_TYPES, FeatureField, FeatureType
from gisserver.geometries import WGS84BoundingBox
from gisserver.types import XsdElement, XsdTypes

from publish.layers import Layer, Output

STORAGE_CRS = CRS.from_srid(settings.STORAGE_SRID)
# The CRSs every feature type offers: the Danish UTM 32N it is stored in (the default) and WGS 84.
OTHER_CRS = [WGS84]
GEOMETRY = "geometry"
PROPERTY_XSD_TYPES = {
    "integer": XsdTypes.integer,
    "number": XsdTypes.double,
    "string": XsdTypes.string,
    "date": XsdTypes.date,
    "datetime": XsdTypes.dateTime,
    "boolean": XsdTypes.boolean,
}
GEOMETRY_FIELDS = {
    "Point": gis_models.PointField,
    "MultiPoint": gis_models.MultiPointField,
    "LineString": gis_models.LineStringField,
    "MultiLineString": gis_models.MultiLineStringField,
    "Polygon": gis_models.PolygonField,
    "MultiPolygon": gis_models.MultiPolygonField,
    "Geometry": gis_models.GeometryField,
}
EXPRESSION_FIELDS = {
    "integer": models.IntegerField,
    "number": models.FloatField,
    "date": models.DateField,
    "datetime": models.DateTimeField,
    "boolean": models.BooleanField,
}


class NumberElement(XsdElement):
    """A number as xsd:double: decimals leave as floats, so GeoJSON has numbers, not the strings of Decimal."""

    def get_value(self, instance):
        value = super().get_value(instance)
        return None if value is None else float(value)


class LayerField(FeatureField):
    """A field with the type the catalogue declares; `output_field` for one read from an annotation."""

    def __init__(self, name, xsd_type, *, model_attribute=None, output_field=None, abstract=None, xsd_class=None):
        super().__init__(name, model_attribute=model_attribute, abstract=abstract, xsd_class=xsd_class)
        self.declared_type = xsd_type
        self.output_field = output_field

    def bind(self, model, parent=None, feature_type=None):
        if self.output_field is None:
            return super().bind(model, parent=parent, feature_type=feature_type)
        # an annotation has no model field to resolve: its output field stands in (type, srid, parsing)
        self.model, self.parent, self.feature_type = model, parent, feature_type
        self.output_field.set_attributes_from_name(self.model_attribute or self.name)
        self.model_field = self.output_field

    def _get_xsd_type(self):
        return self.declared_type


class KeepsAnnotations:
    """only() and defer() that pass over annotations: django-gisserver names every element's source there, and
    Django refuses annotations in both (the wrapped geometries and partnerships' collected sites are annotations)."""

    def only(self, *fields):
        return super().only(*(name for name in fields if not self._annotated(name)))

    def defer(self, *fields):
        return super().defer(*(name for name in fields if name is None or not self._annotated(name)))

    def _annotated(self, name: str) -> bool:
        return name.split("__")[0] in self.query.annotations


_KEEPING = {}


def keeping_annotations(queryset):
    cls = type(queryset)
    if cls not in _KEEPING:
        _KEEPING[cls] = type(f"Wfs{cls.__name__}", (KeepsAnnotations, cls), {})
    clone = queryset.all()
    clone.__class__ = _KEEPING[cls]
    return clone


class LayerFeatureType(FeatureType):
    """A layer of the catalogue as a WFS feature type, reading its records for one request."""

    def __init__(self, layer: Layer, records):
        """`records(layer)` gives the layer's records for the request (its user, its API filters)."""
        self.layer = layer
        self.records = records
        self.annotations = {}
        super().__init__(
            layer.model,
            fields=[*self._property_fields(), self._geometry_field()],
            geometry_field_name=None,
            name=layer.id,
            title=layer.title,
            abstract=layer.description,
            crs=STORAGE_CRS,
            other_crs=OTHER_CRS,
            show_name_field=False,  # gml:name would clash with the layers' own `name` property
        )

    def _property_fields(self) -> list[FeatureField]:
        fields = []
        for prop in self.layer.properties_for(Output.OGC):
            kind = self.layer.property_type(prop)
            options = {"xsd_class": NumberElement if kind == "number" else None}
            if isinstance(prop.source, models.Expression):
                self.annotations[prop.name] = prop.expression()
                options["output_field"] = EXPRESSION_FIELDS.get(kind, models.TextField)(null=True)
            elif prop.renamed():  # a field reached through a relation, e.g. operator__name as operator_name
                options["model_attribute"] = prop.source.replace("__", ".")
            fields.append(LayerField(prop.name, PROPERTY_XSD_TYPES[kind], **options))
        return fields

    def _geometry_field(self) -> FeatureField:
        """`geometry`, declared as its one type. Read from an annotation where it is wrapped (ST_Multi) or is one
        itself (partnerships' collected sites): declared again with its type and SRID, since Django gives a Collect
        EPSG:4326 (GeoAggregate passes the SRID as verbose_name) and a BBOX would be transformed there.

        One name in every feature type (as in OGC API), which also keeps partnerships' `sites` from naming an element
        like the feature type `sites`.
        """
        layer, source = self.layer, self.layer.feature_geometry
        field_class = GEOMETRY_FIELDS[layer.geometry_type]
        value = layer.geometry_value(F(source))
        if isinstance(value, F) and _is_model_field(layer.model, source):
            return LayerField(GEOMETRY, XSD_TYPES[field_class], model_attribute=source)
        self.annotations[f"_wfs_{source}"] = ExpressionWrapper(value, output_field=_geometry(field_class))
        return LayerField(
            GEOMETRY, XSD_TYPES[field_class], model_attribute=f"_wfs_{source}", output_field=_geometry(field_class)
        )

    def get_queryset(self):
        queryset = self.layer.with_geometry(self.records(self.layer)).annotate(**self.annotations)
        return keeping_annotations(queryset.order_by("pk"))

    def get_bounding_box(self) -> WGS84BoundingBox | None:
        """From the stored geometries (the layer's extent field), so wrapped or collected ones need no work."""
        box = Box2D(Transform(ST_SetSRID(Extent(self.layer.extent_field), srid=settings.STORAGE_SRID), srid=4326))
        found = self.records(self.layer).aggregate(box=box)["box"]
        return WGS84BoundingBox(*found) if found else None


def _is_model_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _geometry(field_class):
    return field_class(srid=settings.STORAGE_SRID, null=True)
