from core.pagination import GeoPagination
from gis.api import RecordViewSet

from ..models import EnergySite, HeatSymbiosis, Organisation, OrganisationSite
from . import filters, serializers


class OrganisationViewSet(RecordViewSet):
    queryset = Organisation.objects.all()
    serializer_class = serializers.OrganisationSerializer
    filterset_class = filters.OrganisationFilter
    search_fields = ["name", "cvr", "chr_number", "address"]
    ordering_fields = ["name", "cvr", "created_at"]


class OrganisationSiteViewSet(RecordViewSet):
    queryset = OrganisationSite.objects.select_related("organisation")
    serializer_class = serializers.OrganisationSiteSerializer
    filterset_class = filters.OrganisationSiteFilter
    pagination_class = GeoPagination
    search_fields = ["name", "address", "organisation__name"]
    ordering_fields = ["name", "created_at"]


class EnergySiteViewSet(RecordViewSet):
    queryset = EnergySite.objects.all()
    serializer_class = serializers.EnergySiteSerializer
    filterset_class = filters.EnergySiteFilter
    pagination_class = GeoPagination
    search_fields = ["name", "description", "operator__name", "external_id"]
    ordering_fields = ["name", "site_type", "planning_status", "capacity", "created_at"]


class HeatSymbiosisViewSet(RecordViewSet):
    queryset = HeatSymbiosis.objects.all()
    serializer_class = serializers.HeatSymbiosisSerializer
    filterset_class = filters.HeatSymbiosisFilter
    pagination_class = GeoPagination
    search_fields = ["name", "source_description", "receiving_network", "source_organisation__name"]
    ordering_fields = ["name", "status", "capacity_mw", "heat_mwh_per_yr", "created_at"]
