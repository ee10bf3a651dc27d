"""GET /api/exports/<layer>.<format>: a whole layer, filtered like its list, in the format asked for."""

import logging

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from access.permissions import may_read
from gis.crs import WGS84, requested_srid

from .catalogue import published
from .exports import FORMATS, WRITERS, ExportDiskFull, read_frame, stream_geojson
from .layers import Output

# GIS files default to the Danish CRS; web and spreadsheet formats to WGS84.
DEFAULT_SRID = {"gpkg": 25832, "shp": 25832}
CONTROL_PARAMETERS = {"srid", "crs", "format"}
logger = logging.getLogger(__name__)
EXPORT_LAYERS = published(Output.EXPORT)


class InsufficientStorage(APIException):
    status_code = 507
    default_code = "insufficient_storage"


class LayerExportView(APIView):
    @extend_schema(
        summary="Download a whole layer (sites, partnerships, symbioses) as GeoJSON, CSV, Excel, GeoPackage or "
        "zipped Shapefile",
        parameters=[
            OpenApiParameter("srid", OpenApiTypes.INT, enum=[4326, 25832]),
            OpenApiParameter("layer", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(EXPORT_LAYERS)),
            OpenApiParameter("fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(FORMATS)),
        ],
        responses={
            **{(200, content_type.split(";")[0]): OpenApiTypes.BINARY for content_type, _ext in FORMATS.values()},
            (507, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request, layer, fmt):
        if layer not in EXPORT_LAYERS or fmt not in FORMATS:
            raise NotFound(_("Unknown layer or format: %(layer)s.%(fmt)s.") % {"layer": layer, "fmt": fmt})
        srid = requested_srid(request, default=DEFAULT_SRID.get(fmt, WGS84))
        query = EXPORT_LAYERS[layer].export_query(request, srid)
        if not may_read(request.user, EXPORT_LAYERS[layer].model):
            raise PermissionDenied()
        as_of = timezone.now()
        metadata = {
            "as_of": as_of.isoformat(timespec="seconds"),
            "filter": {
                k: v[0] if len(v) == 1 else v for k, v in request.query_params.lists() if k not in CONTROL_PARAMETERS
            },
            "crs_epsg": srid,
        }
        content_type, extension = FORMATS[fmt]
        filename = f"{layer}-{as_of:%Y%m%d-%H%M%S}-epsg{srid}.{extension}"
        if fmt == "geojson":
            response = StreamingHttpResponse(
                stream_geojson(query, name=layer, srid=srid, metadata=metadata), content_type=content_type
            )
        else:
            frame = read_frame(query, srid)
            try:
                # the whole file is written before anything is sent, so a failure cannot arrive as a short file
                body = WRITERS[fmt](frame, name=layer, srid=srid, metadata=metadata)
            except ExportDiskFull as error:
                logger.error("Export %s.%s failed, disk full in EXPORT_WORK_DIR: %s", layer, fmt, error)
                raise InsufficientStorage(
                    _(
                        "The server ran out of disk space while writing the export, so nothing "
                        "was sent. Try again later, or ask the administrator to free space."
                    )
                )
            response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Export-As-Of"] = metadata["as_of"]
        return response

    def get_permissions(self):
        # Signed-in users get through here; the layer's own view permission is checked in get().
        return [] if settings.API_ANONYMOUS_READ else [IsAuthenticated()]
