from django.db.models import Prefetch
from rest_framework import viewsets

from gis.api import RecordViewSet

from ..models import (
    ClimatePartnership,
    ExternalFunding,
    InternationalPartnership,
    Measure,
    PartnershipOrganisation,
    RealisedReduction,
    Target,
)
from . import filters, serializers


class PartnershipViewSet(RecordViewSet):
    queryset = ClimatePartnership.objects.prefetch_related(
        Prefetch("memberships", PartnershipOrganisation.objects.select_related("organisation")),
        Prefetch("measures", Measure.objects.select_related("entered_by")),
    ).distinct()
    serializer_class = serializers.PartnershipSerializer
    filterset_class = filters.PartnershipFilter
    search_fields = ["title", "notes", "organisations__name", "organisations__cvr"]
    ordering_fields = ["title", "signed_on", "status", "sector", "created_at"]


class MeasureViewSet(RecordViewSet):
    queryset = Measure.objects.select_related("entered_by", "partnership")
    serializer_class = serializers.MeasureSerializer
    filterset_class = filters.MeasureFilter
    search_fields = ["title", "source", "partnership__title"]
    ordering_fields = ["title", "annual_reduction_t", "first_year", "created_at"]


class RealisedReductionViewSet(viewsets.ModelViewSet):
    queryset = RealisedReduction.objects.all()
    serializer_class = serializers.RealisedReductionSerializer
    filterset_fields = ["measure", "year"]
    ordering_fields = ["year", "realised_t"]


class InternationalPartnershipViewSet(RecordViewSet):
    queryset = InternationalPartnership.objects.all()
    serializer_class = serializers.InternationalPartnershipSerializer
    filterset_class = filters.InternationalFilter
    search_fields = ["title", "partner_name", "theme"]
    ordering_fields = ["title", "signed_on", "country"]


class ExternalFundingViewSet(RecordViewSet):
    queryset = ExternalFunding.objects.all()
    serializer_class = serializers.ExternalFundingSerializer
    filterset_class = filters.FundingFilter
    search_fields = ["title", "funder"]
    ordering_fields = ["title", "amount_dkk", "granted_on"]


class TargetViewSet(viewsets.ModelViewSet):
    """Targets are changed, never deleted: the history keeps every earlier value."""

    queryset = Target.objects.all()
    serializer_class = serializers.TargetSerializer
    filterset_fields = ["indicator", "sector", "period_start_year"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
