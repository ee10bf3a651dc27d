"""Query filters every list of the API shares."""

from rest_framework import filters, serializers


class SearchFilter(filters.SearchFilter):
    """DRF's ?search=, whose refusals (a null character) name the parameter like every other 400 of the API."""

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({self.search_param: error.detail}) from None
