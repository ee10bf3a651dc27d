from rest_framework.pagination import PageNumberPagination
from rest_framework_gis.pagination import GeoJsonPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


class GeoPagination(GeoJsonPagination):
    """A page of a spatial list is still a GeoJSON FeatureCollection."""

    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_paginated_response_schema(self, schema):
        """The list's FeatureCollection plus the page's count and links (rest_framework_gis's says `results`)."""
        page = PageNumberPagination.get_paginated_response_schema(self, schema)
        links = {name: page["properties"][name] for name in ("count", "next", "previous")}
        return {"allOf": [schema, {"type": "object", "required": ["count", "features"], "properties": links}]}
