from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework_gis.pagination import GeoJsonPagination

from .validators import small_whole_number


class CheckedPageSize:
    """?page_size= must be a whole number from 1; DRF falls back to the default for anything else, silently.
    Above the maximum it is capped, as documented."""

    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and (small_whole_number(raw) or 0) < 1:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number of at least 1 (at most %(max)s are sent).") % {"max": self.max_page_size}
                    ]
                }
            )
        return super().get_page_size(request)


class Pagination(CheckedPageSize, PageNumberPagination):
    """A page of a list: count, next, previous and results."""


class GeoPagination(CheckedPageSize, GeoJsonPagination):
    """A page of a spatial list is still a GeoJSON FeatureCollection."""

    def get_paginated_response_schema(self, schema):
        """The list's FeatureCollection plus the page's count and links (rest_framework_gis's says `results`)."""
        page = PageNumberPagination.get_paginated_response_schema(self, schema)
        links = {name: page["properties"][name] for name in ("count", "next", "previous")}
        return {"allOf": [schema, {"type": "object", "required": ["count", "features"], "properties": links}]}
