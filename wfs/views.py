"""WFS 2.0 at /wfs/ (django-gisserver) over the catalogue's layers, for QGIS, ArcGIS, MapInfo, GDAL and OWSLib.

Every request signs in as the API does (HTTP Basic with a password or an API token, a token header, the session):
no or wrong credentials get a 401 that asks for Basic (QGIS then prompts), unless anonymous reading is open. Lists
(GetCapabilities, DescribeFeatureType without type names, the HTML page) show only the layers the user may read;
a request that names another layer gets a 403. Besides the WFS parameters, a layer's API filters (`?type=wind`,
`?status=signed`, ...) narrow its features as on /api/.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from gisserver.exceptions import InvalidParameterValue
from gisserver.features import ServiceDescription
from gisserver.operations import wfs20 as operations
from gisserver.parsers import wfs20
from gisserver.views import WFSView
from rest_framework import exceptions

from access.authentication import api_request, unauthorized
from access.permissions import may_read
from publish.catalogue import published
from publish.layers import Output

from .feature_types import LayerFeatureType

XML_NAMESPACE = "urn:x-aalborg-kommune:climate-registry"
LAYERS = published(Output.OGC, by_geometry_type=True)


class DescribeFeatureType(operations.DescribeFeatureType):
    """The library's operation, with the permission check it makes for GetFeature on each type named."""

    def validate_request(self, ows_request):
        super().validate_request(ows_request)
        if not self.feature_types:
            raise PermissionDenied(_("You may read none of the layers."))
        for feature_type in self.feature_types:
            self.view.check_permissions(feature_type)


class RegistryWFSView(WFSView):
    xml_namespace = XML_NAMESPACE
    accept_operations = {"WFS": {**WFSView.accept_operations["WFS"], "DescribeFeatureType": DescribeFeatureType}}

    @csrf_exempt  # read-only; a session's POST is still checked for CSRF by the API's session sign-in
    def dispatch(self, request, *args, **kwargs):
        self.api_request = api_request(request)
        try:
            user = self.api_request.user
        except exceptions.AuthenticationFailed as error:
            return unauthorized(error.detail)
        except exceptions.PermissionDenied as error:
            return self.handle_exception(PermissionDenied(str(error.detail)))
        if not user.is_authenticated and not settings.API_ANONYMOUS_READ:
            return unauthorized()
        return super().dispatch(request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.ValidationError):  # an API filter's value, refused as /api/ refuses it
            detail = exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}
            name, messages = next(iter(detail.items()))
            exc = InvalidParameterValue(" ".join(map(str, messages)), locator=name or None)
        return super().handle_exception(exc)

    def get_service_description(self, service=None) -> ServiceDescription:
        return ServiceDescription(
            title=_("Climate partnership registry: WFS"),
            abstract=_(
                "Energy sites, climate partnerships, surplus-heat symbioses, heat sources and district heating "
                "networks of %(municipality)s, for QGIS, ArcGIS, MapInfo and other GIS clients."
            )
            % {"municipality": _("Aalborg Kommune")},
            keywords=["WFS", "GIS"],
            provider_name=_("Aalborg Kommune"),
        )

    @cached_property
    def all_feature_types(self) -> list[LayerFeatureType]:
        return [LayerFeatureType(layer, self.records) for layer in LAYERS.values()]

    def get_feature_types(self) -> list[LayerFeatureType]:
        """Every layer where the request names its types (each is checked); else only those the user may read."""
        if self._names_types():
            return self.all_feature_types
        return [feature_type for feature_type in self.all_feature_types if self.may_read(feature_type)]

    def _names_types(self) -> bool:
        request = self.ows_request
        if isinstance(request, wfs20.DescribeFeatureType):
            return bool(request.typeNames)
        return isinstance(request, (wfs20.GetFeature, wfs20.GetPropertyValue))

    def may_read(self, feature_type: LayerFeatureType) -> bool:
        return may_read(self.api_request.user, feature_type.layer.model)

    def check_permissions(self, feature_type: LayerFeatureType):
        if not self.may_read(feature_type):
            raise PermissionDenied(_("You may not read the layer %(layer)s.") % {"layer": feature_type.name})

    def records(self, layer):
        """The layer's records for this request: its user's visibility, and the API filters given by their names."""
        return layer.records(self.api_request, layer.list_params(self.request.GET))
