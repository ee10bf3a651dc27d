"""GET /api/exports/<layer>.<format>: a whole layer, filtered like its list, in the format asked for.

Each format is its own URL pattern (and so its own operation in /api/schema/, with the one content type it
answers), so a generated client reads a GeoPackage as bytes and CSV as text, not as JSON.
"""

import logging

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from access.permissions import may_read
from gis.crs import WGS84, requested_srid

from .catalogue import published
from .exports import CSV_DIALECTS, FORMATS, WRITERS, CellTooLong, ExportDiskFull, read_frame, stream_geojson
from .layers import Output

# GIS files default to the Danish CRS; web and spreadsheet formats to WGS84.
DEFAULT_SRID = {"gpkg": 25832, "shp": 25832}
DEFAULT_DIALECT = "international"
CONTROL_PARAMETERS = {"srid", "crs", "format", "dialect"}
logger = logging.getLogger(__name__)
EXPORT_LAYERS = published(Output.EXPORT)
FORMAT_TITLES = {
    "geojson": "GeoJSON FeatureCollection",
    "csv": "CSV",
    "xlsx": "Excel workbook",
    "gpkg": "GeoPackage",
    "shp": "zipped Shapefile",
}
RESPONSE_BODIES = {"geojson": OpenApiTypes.OBJECT, "csv": OpenApiTypes.STR}  # the others: binary


def csv_dialect(request) -> str:
    """The CSV dialect asked for with ?dialect=international|da; 400 otherwise."""
    value = request.query_params.get("dialect", "").strip() or DEFAULT_DIALECT
    if value not in CSV_DIALECTS:
        raise ValidationError(
            {
                "dialect": [
                    _("Unknown CSV dialect %(dialect)s; use one of %(offered)s.")
                    % {"dialect": value, "offered": ", ".join(CSV_DIALECTS)}
                ]
            }
        )
    return value


class InsufficientStorage(APIException):
    status_code = 507
    default_code = "insufficient_storage"


class NotInThisFormat(APIException):
    """The layer cannot be written whole in the format asked for (an Excel cell too small for a geometry)."""

    status_code = 409
    default_code = "not_in_this_format"


class LayerExportView(APIView):
    """Every format at /api/exports/<layer>.<fmt>; documented through one subclass per format (`for_format`)."""

    @extend_schema(exclude=True)
    def get(self, request, layer, fmt):
        if layer not in EXPORT_LAYERS or fmt not in FORMATS:
            raise NotFound(_("Unknown layer or format: %(layer)s.%(fmt)s.") % {"layer": layer, "fmt": fmt})
        srid = requested_srid(request, default=DEFAULT_SRID.get(fmt, WGS84))
        dialect = csv_dialect(request)  # checked for every format, used by CSV
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
        suffix = f"-{dialect}" if fmt == "csv" and dialect != DEFAULT_DIALECT else ""
        filename = f"{layer}-{as_of:%Y%m%d-%H%M%S}-epsg{srid}{suffix}.{extension}"
        if fmt == "geojson":
            response = StreamingHttpResponse(
                stream_geojson(query, name=layer, srid=srid, metadata=metadata), content_type=content_type
            )
        else:
            frame = read_frame(query, srid)
            try:
                # the whole file is written before anything is sent, so a failure cannot arrive as a short file
                writer = CSV_DIALECTS[dialect] if fmt == "csv" else WRITERS[fmt]
                body = writer(frame, name=layer, srid=srid, metadata=metadata)
            except CellTooLong as error:
                raise NotInThisFormat(str(error))
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

    @classmethod
    def for_format(cls, fmt: str) -> type["LayerExportView"]:
        """The view of one format, documented with that format's content type and parameters only."""
        parameters = [
            OpenApiParameter("layer", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(EXPORT_LAYERS)),
            OpenApiParameter(
                "srid",
                OpenApiTypes.INT,
                enum=[4326, 25832],
                default=DEFAULT_SRID.get(fmt, WGS84),
                description="EPSG code of the coordinates",
            ),
        ]
        if fmt == "csv":
            parameters.append(
                OpenApiParameter(
                    "dialect",
                    OpenApiTypes.STR,
                    enum=list(CSV_DIALECTS),
                    default=DEFAULT_DIALECT,
                    description="`international`: `,` between fields and decimal points. `da`: for Danish "
                    "spreadsheets (Excel, LibreOffice): `;`, decimal commas, codes such as 0851 kept as text.",
                )
            )

        @extend_schema(
            operation_id=f"export_{fmt}",
            summary=f"Download a whole layer as {FORMAT_TITLES[fmt]}",
            description="Takes the same filters as the layer's list (`/api/sites/`, `/api/partnerships/`, ...).",
            parameters=parameters,
            responses={
                (200, FORMATS[fmt][0].split(";")[0]): RESPONSE_BODIES.get(fmt, OpenApiTypes.BINARY),
                **({(409, "application/json"): OpenApiTypes.OBJECT} if fmt == "xlsx" else {}),
                (507, "application/json"): OpenApiTypes.OBJECT,
            },
        )
        def get(self, request, layer, fmt=fmt):
            return cls.get(self, request, layer, fmt)

        return type(f"LayerExport{fmt.capitalize()}View", (cls,), {"get": get, "__doc__": cls.__doc__})

    @classmethod
    def urlpatterns(cls) -> list:
        """A URL pattern per format, each named `api-export` (reversed with layer and format), then one for any
        other format (404). Exports are URL-routed by extension here, not by DRF's format suffixes."""
        per_format = [
            path(f"exports/<str:layer>.{fmt}", cls.for_format(fmt).as_view(), {"fmt": fmt}, name="api-export")
            for fmt in FORMATS
        ]
        return [*per_format, path("exports/<str:layer>.<str:fmt>", cls.as_view(), name="api-export")]
