"""The /api/ OpenAPI document says what the API really answers, so clients (and schemathesis) can rely on it.

drf-spectacular documents the success responses; this adds every error status an operation can give
(with its body), the If-Match / ETag headers of the conflict check, and GeoJSON geometries as we send them.
"""

from django.contrib.gis.db import models as gis_models
from drf_spectacular.contrib.rest_framework_gis import (
    GeoFeatureModelSerializerExtension,
    build_geo_container_schema,
    build_geometry_geo_schema,
    build_linestring_schema,
    build_point_schema,
    build_polygon_schema,
)
from drf_spectacular.plumbing import build_array_type

ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "What went wrong, in the request's language.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": "Field name -> list of reasons; `non_field_errors` for the record as a whole; nested "
        "objects for nested records.",
        "additionalProperties": {},
    },
    "Conflict": {
        "type": "object",
        "description": "The record changed since the version named in If-Match: who changed it, when, and "
        "which fields, with the current ETag to retry with.",
        "properties": {"detail": {"type": "string"}, "current_etag": {"type": "string"}},
        "required": ["detail", "current_etag"],
        "additionalProperties": {},
    },
}
WRITES = {"put", "patch", "delete"}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag from your last read: the write is refused with 412 if the record changed since.",
}
ETAG = {"ETag": {"schema": {"type": "string"}, "description": "The record's version, for If-Match."}}


def _error(schema: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every status an operation can answer is in the document."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("400", _error("ValidationErrors", "Invalid parameters or body."))
            responses.setdefault("401", _error("Error", "No valid token or session."))
            responses.setdefault("403", _error("Error", "Your role may not do this."))
            if "{" in path:
                responses.setdefault("404", _error("Error", "No such record (or it is archived)."))
            elif any(parameter.get("name") == "page" for parameter in operation.get("parameters", [])):
                responses.setdefault("404", _error("Error", "No such page."))
            if method in WRITES and "{id}" in path:
                operation.setdefault("parameters", []).append(IF_MATCH)
                responses.setdefault("412", _error("Conflict", "Changed by someone else since your read."))
            if "{id}" in path and not path.endswith("/restore/") and method in {"get", "put", "patch"}:
                responses["200"].setdefault("headers", {}).update(ETAG)
    return result


# rest_framework_gis's schema knows only Point, LineString and Polygon for a generic geometry field.
ANY_GEOMETRY = {
    "oneOf": [
        *build_geometry_geo_schema()["oneOf"],
        build_geo_container_schema("MultiPoint", build_array_type(build_point_schema())),
        build_geo_container_schema("MultiLineString", build_array_type(build_linestring_schema())),
        build_geo_container_schema("MultiPolygon", build_array_type(build_polygon_schema())),
    ]
}


class GeoFeatureSerializerSchema(GeoFeatureModelSerializerExtension):
    """A feature's geometry as we send it: any GeoJSON type for a generic field, null where the field may be empty."""

    priority = 1

    def map_geo_feature_model_serializer(self, serializer, base_schema):
        schema = super().map_geo_feature_model_serializer(serializer, base_schema)
        model_field = serializer.Meta.model._meta.get_field(serializer.Meta.geo_field)
        if type(model_field) is gis_models.GeometryField:
            schema["properties"]["geometry"] = dict(ANY_GEOMETRY)
        if model_field.null:
            schema["properties"]["geometry"] = {**schema["properties"]["geometry"], "nullable": True}
        return schema
