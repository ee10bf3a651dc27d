"""OGC API - Features (Part 1 Core with GeoJSON and HTML, Part 2 CRS by reference) under /ogc/.

The description of the service (landing page, conformance, API definition) is public; the data
needs the same sign-in (API token or session) and the same view permission per layer as /api/.
"""

import json
from datetime import date, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException, NotAuthenticated, NotFound, PermissionDenied, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from access.permissions import may_read

from .collections import COLLECTIONS, CRS_SRID, STORAGE_CRS, Collection
from .openapi import CONFORMANCE_CLASSES, ITEM_PARAMETERS, openapi_document
from .params import (
    box_in_storage,
    crs_uri,
    parse_after,
    parse_bbox,
    parse_crs,
    parse_datetime,
    parse_feature_id,
    parse_limit,
    reject_empty,
    reject_unknown,
)

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA_JSON = "application/schema+json"


def wants_html(request) -> bool:
    requested = request.GET.get("f")
    if requested is not None:
        if requested not in {"json", "html", "geojson"}:
            raise ValidationError({"f": [_("Use f=json or f=html.")]})
        return requested == "html"
    return HTML in request.META.get("HTTP_ACCEPT", "")


def link(request, path: str, rel: str, media_type: str, title: str = "", **query) -> dict:
    href = request.build_absolute_uri(path)
    if query:
        href += "?" + urlencode(query)
    found = {"href": href, "rel": rel, "type": media_type}
    if title:
        found["title"] = str(title)
    return found


def self_and_alternate(request, path: str, json_type: str = JSON, **query) -> list[dict]:
    html = wants_html(request)
    return [
        link(
            request,
            path,
            "self",
            HTML if html else json_type,
            _("This document"),
            **query,
            **({"f": "html"} if html else {}),
        ),
        link(
            request,
            path,
            "alternate",
            json_type if html else HTML,
            _("This document as JSON") if html else _("This document as HTML"),
            **query,
            f="json" if html else "html",
        ),
    ]


class OwnNegotiation(BaseContentNegotiation):
    """The views choose JSON, GeoJSON or HTML themselves (wants_html); DRF only renders errors, as JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return None


class OgcView(APIView):
    """JSON or HTML by ?f= or Accept; errors as OGC exception documents."""

    permission_classes = [AllowAny]
    schema = None  # described by its own OpenAPI document (/ogc/api), not in /api/schema/
    content_negotiation_class = OwnNegotiation
    renderer_classes = [JSONRenderer]
    template = ""

    def respond(
        self, request, document: dict, media_type: str = JSON, headers: dict | None = None, extra: dict | None = None
    ):
        if wants_html(request) and self.template:
            response = render(request, self.template, {"doc": document, **(extra or {})})
        else:
            response = HttpResponse(json.dumps(document, ensure_ascii=False, default=str), content_type=media_type)
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, APIException):
            detail = exc.detail
            response.data = {
                "code": exc.default_code,
                "description": detail if isinstance(detail, str) else json.loads(json.dumps(detail)),
            }
        return response


class LandingPage(OgcView):
    template = "ogc/landing.html"

    def get(self, request):
        base = "/ogc/"
        return self.respond(
            request,
            {
                "title": _("Climate partnership registry: OGC API - Features"),
                "description": _(
                    "Energy sites, climate partnerships, surplus-heat symbioses, heat sources and district "
                    "heating networks of %(municipality)s, for QGIS and other GIS clients."
                )
                % {"municipality": _("Aalborg Kommune")},
                "links": [
                    *self_and_alternate(request, base),
                    link(request, base + "api", "service-desc", OPENAPI_JSON, _("The API definition (OpenAPI 3.0)")),
                    link(request, base + "api.html", "service-doc", HTML, _("The API documentation")),
                    link(request, base + "conformance", "conformance", JSON, _("Conformance classes")),
                    link(request, base + "collections", "data", JSON, _("The collections")),
                ],
            },
        )


class Conformance(OgcView):
    template = "ogc/conformance.html"

    def get(self, request):
        return self.respond(
            request, {"conformsTo": CONFORMANCE_CLASSES, "links": self_and_alternate(request, "/ogc/conformance")}
        )


class ApiDefinition(OgcView):
    def get(self, request):
        return HttpResponse(json.dumps(openapi_document(request), ensure_ascii=False), content_type=OPENAPI_JSON)


class CollectionAccess(OgcView):
    """The data: signed in (token or session) with the layer's view permission, as on /api/."""

    permission_classes = []

    def collection(self, request, collection_id: str) -> Collection:
        collection = COLLECTIONS.get(collection_id)
        if collection is None:
            raise NotFound(_("No collection %(id)s.") % {"id": collection_id})
        self.check_layer_permission(request, collection)
        return collection

    def check_layer_permission(self, request, collection: Collection) -> None:
        if not may_read(request.user, collection.model):
            raise PermissionDenied() if request.user.is_authenticated else NotAuthenticated()

    def readable(self, request) -> list[Collection]:
        if not request.user.is_authenticated and not settings.API_ANONYMOUS_READ:
            raise NotAuthenticated()
        return [c for c in COLLECTIONS.values() if may_read(request.user, c.model)]

    def description(self, request, collection: Collection) -> dict:
        path = f"/ogc/collections/{collection.id}"
        queryset = collection.base_queryset(request, QueryDict())
        return {
            "id": collection.id,
            "title": str(collection.title),
            "description": str(collection.description),
            "itemType": "feature",
            "extent": collection.extent(queryset),
            "crs": list(CRS_SRID),
            "storageCrs": STORAGE_CRS,
            "links": [
                link(request, path, "self", JSON, collection.title),
                link(request, path, "alternate", HTML, collection.title, f="html"),
                link(request, path + "/items", "items", GEOJSON, _("The features as GeoJSON")),
                link(request, path + "/items", "items", HTML, _("The features as HTML"), f="html"),
                # relation names are case-insensitive (RFC 8288); GDAL (3.6) matches this spelling only
                link(
                    request,
                    path + "/schema",
                    "describedBy",
                    SCHEMA_JSON,
                    _("A feature as GeoJSON, with its properties' types"),
                    profile="geojson",
                ),
                link(
                    request,
                    path + "/schema",
                    "http://www.opengis.net/def/rel/ogc/1.0/schema",
                    SCHEMA_JSON,
                    _("The features' properties and types"),
                ),
            ],
        }


class Collections(CollectionAccess):
    template = "ogc/collections.html"

    def get(self, request):
        return self.respond(
            request,
            {
                "links": self_and_alternate(request, "/ogc/collections"),
                "collections": [self.description(request, c) for c in self.readable(request)],
                "crs": list(CRS_SRID),
            },
        )


class CollectionDetail(CollectionAccess):
    template = "ogc/collection.html"

    def get(self, request, collection_id):
        collection = self.collection(request, collection_id)
        document = self.description(request, collection)
        document["links"][:2] = self_and_alternate(request, f"/ogc/collections/{collection.id}")
        return self.respond(request, document)


class Schema(CollectionAccess):
    """GET /ogc/collections/<id>/schema: the JSON Schema of the features' properties (Part 5), or with
    ?profile=geojson of a whole GeoJSON feature (the collection's `describedBy`)."""

    def get(self, request, collection_id):
        collection = self.collection(request, collection_id)
        profile = request.GET.get("profile", "")
        if profile not in {"", "geojson"}:
            raise ValidationError({"profile": [_("Use profile=geojson, or leave it out.")]})
        schema_id = request.build_absolute_uri()
        schema = collection.feature_schema(schema_id) if profile else collection.schema(schema_id)
        return HttpResponse(json.dumps(schema, ensure_ascii=False), content_type=SCHEMA_JSON)


def feature(collection: Collection, row: dict) -> dict:
    properties = {k: v for k, v in row.items() if k not in {"pk", "_geometry"}}
    for name, value in properties.items():
        if hasattr(value, "as_tuple"):  # Decimal -> number
            properties[name] = float(value)
        elif isinstance(value, (date, datetime)):
            properties[name] = value.isoformat()
    return {
        "type": "Feature",
        "id": row["pk"],
        "geometry": json.loads(row["_geometry"]) if row["_geometry"] else None,
        "properties": properties,
    }


class Items(CollectionAccess):
    """A page of features: filtered like /api/, by bbox and datetime, paged by feature id (after=)."""

    template = "ogc/items.html"

    def get(self, request, collection_id):
        collection = self.collection(request, collection_id)
        params = request.GET
        reject_unknown(params, {*ITEM_PARAMETERS, *collection.filters, "search"})
        reject_empty(params, may_be_empty={"search"})
        limit = parse_limit(params.get("limit"))
        srid = parse_crs(params.get("crs"), "crs")
        after = parse_after(params.get("after", "0"))
        queryset = self.filtered(request, collection, params)
        page = list(collection.rows(queryset.filter(pk__gt=after).order_by("pk"), srid)[: limit + 1])
        features = [feature(collection, row) for row in page[:limit]]
        document = {
            "type": "FeatureCollection",
            "features": features,
            "links": self.links(request, collection, params, after, features if len(page) > limit else None),
            "timeStamp": timezone.now().isoformat(timespec="seconds").replace("+00:00", "Z"),
            "numberReturned": len(features),
        }
        return self.respond(
            request,
            document,
            GEOJSON,
            {"Content-Crs": f"<{crs_uri(srid)}>"},
            extra={
                "collection": collection,
                "columns": collection.properties,
                "rows": [(f["id"], [f["properties"].get(c) for c in collection.properties]) for f in features],
            },
        )

    def filtered(self, request, collection: Collection, params):
        """The attribute filters and search go through the same filterset as /api/; bbox and datetime are OGC's."""
        queryset = collection.base_queryset(request, collection.layer.list_params(params, extra=("search",)))
        bbox_srid = parse_crs(params.get("bbox-crs"), "bbox-crs")  # refused even without a bbox, not ignored
        if "bbox" in params:
            box = box_in_storage(parse_bbox(params["bbox"], bbox_srid))
            queryset = queryset.none() if box is None else collection.in_bbox(queryset, box)
        if "datetime" in params:
            queryset = collection.within_dates(queryset, *parse_datetime(params["datetime"]))
        return queryset

    def links(self, request, collection: Collection, params, after: int, more: list[dict] | None) -> list[dict]:
        """Self, alternate and collection; next (after the last feature of *more*) only when there is a next page."""
        path = f"/ogc/collections/{collection.id}/items"
        query = {k: v for k, v in params.items() if k not in {"after", "f"}}
        links = [
            *self_and_alternate(request, path, GEOJSON, **query, **({"after": after} if after else {})),
            link(request, f"/ogc/collections/{collection.id}", "collection", JSON, collection.title),
        ]
        if more:
            links.append(
                link(
                    request,
                    path,
                    "next",
                    HTML if wants_html(request) else GEOJSON,
                    _("Next page"),
                    **query,
                    after=more[-1]["id"],
                    **({"f": "html"} if wants_html(request) else {}),
                )
            )
        return links


class Item(CollectionAccess):
    template = "ogc/item.html"

    def get(self, request, collection_id, feature_id):
        collection = self.collection(request, collection_id)
        unknown = sorted(set(request.GET) - {"f", "crs"})
        if unknown:
            raise ValidationError({name: [_("Unknown parameter.")] for name in unknown})
        srid = parse_crs(request.GET.get("crs"), "crs")
        pk = parse_feature_id(feature_id)
        queryset = collection.base_queryset(request, QueryDict())
        row = None if pk is None else collection.rows(queryset.filter(pk=pk), srid).first()
        if row is None:
            raise NotFound(_("No feature %(id)s in %(collection)s.") % {"id": feature_id, "collection": collection.id})
        document = feature(collection, row)
        path = f"/ogc/collections/{collection.id}/items/{feature_id}"
        document["links"] = [
            *self_and_alternate(request, path, GEOJSON),
            link(request, f"/ogc/collections/{collection.id}", "collection", JSON, collection.title),
        ]
        return self.respond(
            request, document, GEOJSON, {"Content-Crs": f"<{crs_uri(srid)}>"}, extra={"collection": collection}
        )
