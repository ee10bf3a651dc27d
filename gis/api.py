"""What every API endpoint of a spatial record adds to the core's: GeoJSON in the CRS the request names."""

import json

from django.contrib.gis.geos import GEOSGeometry, WKBWriter
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

from core.api import ArchiveViewSet

from .crs import PRECISION, requested_srid


def geojson_geometry(geom, precision: int) -> dict:
    """A GEOS geometry as a GeoJSON geometry object, coordinates rounded to `precision` decimals.

    Rounded and written in C (shapely), not coordinate by coordinate in Python as rest_framework_gis does:
    a 50,000-vertex outline takes 0.04 s instead of 0.5 s, so a page of detailed areas stays inside the
    worker's timeout.
    """
    import numpy as np
    import shapely

    shape = shapely.transform(shapely.from_wkb(bytes(geom.wkb)), lambda xy: np.round(xy, precision))
    return json.loads(shapely.to_geojson(shape))


class CrsGeometryField(GeometryField):
    """GeoJSON geometry in the CRS asked for with ?srid= (default EPSG:4326), both ways."""

    def _srid(self):
        request = self.context.get("request")
        return requested_srid(request) if request is not None else 4326

    def to_representation(self, value):
        if value is None:
            return None
        srid = self._srid()
        geom = value.transform(srid, clone=True) if value.srid != srid else value
        return geojson_geometry(geom, PRECISION[srid])

    def to_internal_value(self, value):
        try:
            geom = super().to_internal_value(value)
        except serializers.ValidationError:
            raise serializers.ValidationError(_("Not a valid GeoJSON geometry (type and coordinates)."))
        if geom is None:
            return None
        srid = self._srid()  # GeoJSON carries no CRS: it is the one the request names
        if geom.hasz:  # the registry keeps 2D positions; a height (or measure) is dropped, and the reply says so
            writer = WKBWriter()
            writer.outdim = 2
            geom = GEOSGeometry(writer.write(geom))
            notes = getattr(self.parent, "input_notes", None)
            if notes is not None:
                notes.append(
                    _("%(field)s: the height (third coordinate) was dropped; positions are stored in 2D.")
                    % {"field": self.field_name}
                )
        geom.srid = srid
        return geom


class FeatureInputMixin:
    """A GeoJSON Feature must be an object with an object of properties; anything else is a 400, not a 500.

    What the server changed in the input on the way in (a height dropped) comes back as the Feature's
    foreign member "notes" (RFC 7946, section 6.1), so a client learns it without a second request.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.input_notes = []

    def to_representation(self, instance):
        feature = super().to_representation(instance)
        if self.input_notes:
            feature["notes"] = list(self.input_notes)
        return feature

    def to_internal_value(self, data):
        if not isinstance(data, dict) or not isinstance(data.get("properties", {}), dict):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Send a GeoJSON Feature: an object with 'geometry' and 'properties'.")]}
            )
        return super().to_internal_value(data)


class RecordViewSet(ArchiveViewSet):
    """The core's archive viewset, with ?srid= checked on every request of the API."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        requested_srid(request)  # a bad ?srid= is a 400 even when there is nothing to transform
