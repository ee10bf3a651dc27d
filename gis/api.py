"""What every API endpoint of a spatial record adds to the core's: GeoJSON in the CRS the request names."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

from core.api import ArchiveViewSet

from .crs import PRECISION, requested_srid


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
        self.precision = PRECISION[srid]
        return super().to_representation(geom)

    def to_internal_value(self, value):
        try:
            geom = super().to_internal_value(value)
        except serializers.ValidationError:
            raise serializers.ValidationError(_("Not a valid GeoJSON geometry (type and coordinates)."))
        if geom is not None:
            geom.srid = self._srid()  # GeoJSON carries no CRS: it is the one the request names
        return geom


class FeatureInputMixin:
    """A GeoJSON Feature must be an object with an object of properties; anything else is a 400, not a 500."""

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
