"""The OpenAPI 3.0 definition of /ogc/: what QGIS, GDAL and the conformance suites read to learn the service."""

import django_filters
from django import forms

from .collections import COLLECTIONS, CRS84, CRS_SRID

CONFORMANCE_CLASSES = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_ID = 2**63 - 1  # ids are bigints: no feature has a larger one
# The query parameters every items request understands, besides the collection's attribute filters.
ITEM_PARAMETERS = ("f", "limit", "after", "bbox", "bbox-crs", "crs", "datetime")


def _parameter(name: str, schema: dict, description: str = "", **extra) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "style": "form",
        "explode": False,
        "description": description,
        **extra,
    }


COMMON = {
    "f": _parameter("f", {"type": "string", "enum": ["json", "html"]}, "The encoding (or use the Accept header)."),
    "limit": _parameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "Features per page; above the maximum the maximum is used.",
    ),
    "after": _parameter(
        "after",
        {"type": "integer", "minimum": 0, "maximum": MAX_ID},
        "Paging: the features after this id (the 'next' link sets it).",
    ),
    "bbox": _parameter(
        "bbox",
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        "minx,miny,maxx,maxy in CRS84 (lon/lat), or in the CRS named by bbox-crs.",
    ),
    "bbox-crs": _parameter(
        "bbox-crs", {"type": "string", "format": "uri", "enum": list(CRS_SRID)}, "The CRS of bbox (default CRS84)."
    ),
    "crs": _parameter(
        "crs",
        {"type": "string", "format": "uri", "enum": list(CRS_SRID)},
        "The CRS of the returned geometries (default CRS84).",
    ),
    "datetime": _parameter(
        "datetime",
        {"type": "string"},
        "A date, a date-time or an interval (start/end, '..' for an open end); "
        "applies to the collection's dates where it has them.",
    ),
}


def _choices(f) -> list[str]:
    return [str(value) for value, _label in f.field.choices if value != ""]


def _filter_schema(f) -> tuple[dict, bool]:
    """(schema, explode) for a django-filter filter."""
    if isinstance(f, django_filters.ModelChoiceFilter):
        # a record's id: not an enum of the ids, which would publish them (and query them) in this public document
        return {"type": "integer", "minimum": 1}, False
    if isinstance(f, django_filters.MultipleChoiceFilter):
        return {"type": "array", "items": {"type": "string", "enum": _choices(f)}}, True
    if isinstance(f, django_filters.ChoiceFilter):
        return {"type": "string", "enum": _choices(f)}, False
    if isinstance(f, django_filters.BooleanFilter):
        return {"type": "boolean"}, False
    if isinstance(f, django_filters.NumberFilter):
        whole = issubclass(f.field_class, forms.IntegerField)
        bounds = {"minimum": f.extra.get("min_value"), "maximum": f.extra.get("max_value")}
        return {"type": "integer" if whole else "number", **{k: v for k, v in bounds.items() if v is not None}}, False
    return {"type": "string"}, False


def _feature_schema(collection) -> dict:
    schema = collection.feature_schema()
    schema["properties"]["geometry"] = {"type": "object", "nullable": True}
    for prop in schema["properties"]["properties"]["properties"].values():
        prop["nullable"] = True
    return schema


def _json_response(description: str, media_type: str = "application/json", schema: dict | None = None) -> dict:
    return {
        "description": description,
        "content": {media_type: {"schema": schema or {"type": "object"}}, "text/html": {"schema": {"type": "string"}}},
    }


# An OGC exception: the code, and what was wrong (for a 400, each parameter's reasons).
EXCEPTION = {
    "type": "object",
    "required": ["code", "description"],
    "properties": {
        "code": {"type": "string"},
        "description": {
            "oneOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
                {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            ]
        },
    },
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": EXCEPTION}}}


BAD_PARAMETER = {"400": _error("Invalid or unknown query parameter")}
ERRORS = {
    **BAD_PARAMETER,
    "401": _error("Not signed in (HTTP Basic, an API token or a session cookie)"),
    "403": _error("No permission to read this layer"),
    "404": _error("No such collection or feature"),
}


SECURITY = [{"basic": []}, {"bearer": []}, {"token": []}, {"session": []}]

COMPONENTS = {
    "securitySchemes": {
        "basic": {
            "type": "http",
            "scheme": "basic",
            "description": "The user's name and password, or any name with an API token as the password (HTTPS)",
        },
        "bearer": {"type": "http", "scheme": "bearer", "description": "An API token, issued by an administrator"},
        "token": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <key>, issued by an administrator",
        },
        "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }
}


def _fixed_paths() -> dict:
    """The service description (public) and the list of collections, the same whatever the collections are."""
    return {
        "/": {
            "get": {
                "summary": "Landing page",
                "operationId": "getLandingPage",
                "parameters": [COMMON["f"]],
                "responses": {"200": _json_response("The landing page"), **BAD_PARAMETER},
            }
        },
        "/conformance": {
            "get": {
                "summary": "Conformance classes",
                "operationId": "getConformance",
                "parameters": [COMMON["f"]],
                "responses": {"200": _json_response("The conformance classes"), **BAD_PARAMETER},
            }
        },
        "/api": {
            "get": {
                "summary": "This API definition",
                "operationId": "getApi",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.0",
                        "content": {"application/vnd.oai.openapi+json;version=3.0": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/collections": {
            "get": {
                "summary": "The collections",
                "operationId": "getCollections",
                "parameters": [COMMON["f"]],
                "security": SECURITY,
                "responses": {"200": _json_response("The collections"), **ERRORS},
            }
        },
    }


def _filter_parameters(collection) -> list[dict]:
    """The collection's attribute filters and search, as /api/ has them, so clients can offer them."""
    filters = []
    for name, f in collection.filters.items():
        schema, explode = _filter_schema(f)
        filters.append(_parameter(name, schema, str(f.label or name), explode=explode))
    filters.append(_parameter("search", {"type": "string"}, "Free-text search, as in the API."))
    return filters


def _items_schema(collection) -> dict:
    return {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": _feature_schema(collection)},
            "links": {"type": "array", "items": {"type": "object"}},
            "timeStamp": {"type": "string", "format": "date-time"},
            "numberReturned": {"type": "integer", "minimum": 0},
        },
    }


def _collection_paths(collection) -> dict:
    """The paths of one collection: its description, its schema, its features and one feature."""
    path = f"/collections/{collection.id}"
    return {
        path: {
            "get": {
                "summary": f"The collection {collection.id}",
                "operationId": f"describe-{collection.id}",
                "parameters": [COMMON["f"]],
                "security": SECURITY,
                "responses": {"200": _json_response(str(collection.title)), **ERRORS},
            }
        },
        path + "/schema": {
            "get": {
                "summary": f"The properties of {collection.id} and their types (JSON Schema)",
                "operationId": f"getSchema-{collection.id}",
                "security": SECURITY,
                "responses": {
                    "200": {
                        "description": "JSON Schema",
                        "content": {"application/schema+json": {"schema": {"type": "object"}}},
                    },
                    **ERRORS,
                },
            }
        },
        path + "/items": {
            "get": {
                "summary": f"Features of {collection.id}",
                "operationId": f"getFeatures-{collection.id}",
                "parameters": [COMMON[name] for name in ITEM_PARAMETERS] + _filter_parameters(collection),
                "security": SECURITY,
                "responses": {
                    "200": _json_response("A page of features", "application/geo+json", _items_schema(collection)),
                    **ERRORS,
                },
            }
        },
        path + "/items/{featureId}": {
            "get": {
                "summary": f"One feature of {collection.id}",
                "operationId": f"getFeature-{collection.id}",
                "parameters": [
                    {"name": "featureId", "in": "path", "required": True, "schema": {"type": "integer"}},
                    COMMON["f"],
                    COMMON["crs"],
                ],
                "security": SECURITY,
                "responses": {
                    "200": _json_response("The feature", "application/geo+json", _feature_schema(collection)),
                    **ERRORS,
                },
            }
        },
    }


def openapi_document(request) -> dict:
    """Built per request: the server URL is the host the client used."""
    base = request.build_absolute_uri("/ogc").rstrip("/")
    paths = _fixed_paths()
    for collection in COLLECTIONS.values():
        paths.update(_collection_paths(collection))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Climate partnership registry - OGC API Features",
            "version": "1.0",
            "description": "Layers of the registry for GIS clients. Default CRS: " + CRS84,
            "license": {"name": "Data: Aalborg Kommune"},
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": COMPONENTS,
    }
