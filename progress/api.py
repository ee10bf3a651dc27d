"""GET /api/progress/ and the drill-downs behind its figures: thin views over progress.selectors."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from access.permissions import CanViewRegistry
from core.validators import MIN_YEAR
from partnerships.models import ClimatePartnership, Measure, Sector

from . import selectors


class AsOfSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text=_("Read the registry as it stood at the end of this day."))

    def validate_as_of(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The date cannot be in the future."))
        if value < dt.date(MIN_YEAR, 1, 1):
            raise serializers.ValidationError(_("The date must be in %(year)s or later.") % {"year": MIN_YEAR})
        return value


class DrillDownSerializer(AsOfSerializer):
    sector = serializers.ChoiceField(choices=Sector.choices, required=False)
    bucket = serializers.ChoiceField(
        choices=[("committed", _("Committed")), ("pipeline", _("Pipeline"))], required=False
    )
    status = serializers.ChoiceField(choices=ClimatePartnership.Status.choices, required=False)
    measure_type = serializers.ChoiceField(choices=Measure.MeasureType.choices, required=False)
    up_to_year = serializers.IntegerField(required=False, min_value=2000, max_value=2050)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2050)


class SignedCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    target = serializers.FloatField(allow_null=True)
    target_max = serializers.FloatField(allow_null=True)


class SectorProgressSerializer(serializers.Serializer):
    target_tonnes = serializers.FloatField(allow_null=True, help_text="t CO2e/yr to reach by target_year")
    target_year = serializers.IntegerField(allow_null=True)
    committed_tonnes = serializers.FloatField(help_text="Measures of signed, active and completed partnerships")
    pipeline_tonnes = serializers.FloatField(help_text="Measures of partnerships in dialogue")
    realised_tonnes = serializers.FloatField(help_text="Reported reductions in realised_year")
    realised_year = serializers.IntegerField(allow_null=True)
    realised_by_year = serializers.DictField(child=serializers.FloatField())
    committed_share = serializers.FloatField(allow_null=True, help_text="committed_tonnes / target_tonnes")
    measures_committed = serializers.IntegerField()
    measures_pipeline = serializers.IntegerField()
    trajectory = serializers.DictField(
        child=serializers.FloatField(), help_text="Year -> committed t CO2e/yr of the measures in effect that year"
    )
    target_path = serializers.DictField(child=serializers.FloatField(), help_text="Straight line to the target")
    partnerships_signed = serializers.DictField(child=SignedCountSerializer())
    by_status = serializers.DictField(child=serializers.FloatField())


class PerYearSerializer(serializers.Serializer):
    target_per_year = serializers.FloatField(allow_null=True)
    by_year = serializers.DictField(child=serializers.FloatField())


class ProgressSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    as_of_is_today = serializers.BooleanField()
    industry = SectorProgressSerializer()
    agriculture = SectorProgressSerializer()
    international_partnerships = PerYearSerializer()
    external_funding = PerYearSerializer()


class MeasureRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    measure_type = serializers.CharField()
    annual_reduction_t = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    first_year = serializers.IntegerField()
    method = serializers.CharField()
    source = serializers.CharField()
    partnership_id = serializers.IntegerField()
    partnership_title = serializers.CharField()
    sector = serializers.CharField()
    status = serializers.CharField()
    bucket = serializers.CharField()
    energy_site_id = serializers.IntegerField(allow_null=True)
    heat_symbiosis_id = serializers.IntegerField(allow_null=True)
    entered_by = serializers.CharField(allow_null=True)


class PartnershipRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    sector = serializers.CharField()
    status = serializers.CharField()
    signed_on = serializers.DateField()
    year = serializers.IntegerField()


class RealisedRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    measure_id = serializers.IntegerField()
    measure_title = serializers.CharField()
    partnership_title = serializers.CharField()
    sector = serializers.CharField()
    year = serializers.IntegerField()
    realised_t = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    source = serializers.CharField()


class BreakdownView(APIView):
    """Committed and pipeline tonnes per sector and measure type."""

    permission_classes = [CanViewRegistry]

    @extend_schema(
        parameters=[AsOfSerializer],
        summary="Tonnes by sector and measure type",
        description="{sector: {measure_type: {committed: t, pipeline: t}}}",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        query = AsOfSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.measure_type_breakdown(as_of=query.validated_data.get("as_of")))


class ProgressView(APIView):
    permission_classes = [CanViewRegistry]

    @extend_schema(
        parameters=[AsOfSerializer], responses=ProgressSerializer, summary="Progress toward the priority-4 targets"
    )
    def get(self, request):
        query = AsOfSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.progress_totals(as_of=query.validated_data.get("as_of")))


class DrillDownView(APIView):
    """The rows behind a progress figure, filtered like the figure."""

    permission_classes = [CanViewRegistry]
    kind = ""
    row_serializer = None

    def get(self, request):
        query = DrillDownSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.rows_behind(self.kind, query.validated_data)
        return Response(self.row_serializer(rows, many=True).data)


def drill_down_view(kind: str, row_serializer, summary: str):
    return extend_schema(
        methods=["GET"], parameters=[DrillDownSerializer], responses=row_serializer(many=True), summary=summary
    )(type(f"{kind.title()}BehindView", (DrillDownView,), {"kind": kind, "row_serializer": row_serializer}))


MeasuresBehindView = drill_down_view("measures", MeasureRowSerializer, "The measures behind a progress figure")
PartnershipsBehindView = drill_down_view(
    "partnerships", PartnershipRowSerializer, "The signed partnerships counted in a year"
)
RealisedBehindView = drill_down_view(
    "realised", RealisedRowSerializer, "The reported reductions behind a realised figure"
)
