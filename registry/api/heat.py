"""Surplus-heat sources, district heating networks, and the opportunities computed from them."""

import json

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from core.api import ModelRulesMixin
from core.pagination import GeoPagination
from gis.api import CrsGeometryField, FeatureInputMixin, RecordViewSet
from gis.crs import requested_srid
from gis.filters import SpatialFilterSet

from .. import heat_opportunities as service
from ..models import HeatingNetwork, HeatSource, HeatSymbiosis
from .serializers import RECORD_FIELDS, HeatSymbiosisSerializer


class HeatSourceSerializer(FeatureInputMixin, ModelRulesMixin, GeoFeatureModelSerializer):
    location = CrsGeometryField()

    class Meta:
        model = HeatSource
        geo_field = "location"
        fields = (
            *RECORD_FIELDS,
            "name",
            "organisation",
            "location",
            "surplus_heat_mwh_per_yr",
            "temperature_c",
            "capacity_mw",
            "description",
            "data_source",
        )
        read_only_fields = ("created_at", "updated_at", "archived_at")


class HeatingNetworkSerializer(FeatureInputMixin, ModelRulesMixin, GeoFeatureModelSerializer):
    geometry = CrsGeometryField()

    class Meta:
        model = HeatingNetwork
        geo_field = "geometry"
        fields = (
            *RECORD_FIELDS,
            "name",
            "operator",
            "network_kind",
            "geometry",
            "supply_temperature_c",
            "description",
            "data_source",
        )
        read_only_fields = ("created_at", "updated_at", "archived_at")


class HeatSourceFilter(SpatialFilterSet):
    geometry_field = "location"
    min_heat_mwh_per_yr = django_filters.NumberFilter(field_name="surplus_heat_mwh_per_yr", lookup_expr="gte")
    min_temperature_c = django_filters.NumberFilter(field_name="temperature_c", lookup_expr="gte")

    class Meta:
        model = HeatSource
        fields = ["organisation", "min_heat_mwh_per_yr", "min_temperature_c"]


class HeatingNetworkFilter(SpatialFilterSet):
    class Meta:
        model = HeatingNetwork
        fields = ["network_kind", "operator"]


class HeatSourceViewSet(RecordViewSet):
    queryset = HeatSource.objects.select_related("organisation")
    serializer_class = HeatSourceSerializer
    filterset_class = HeatSourceFilter
    pagination_class = GeoPagination
    search_fields = ["name", "description", "organisation__name"]
    ordering_fields = ["name", "surplus_heat_mwh_per_yr", "temperature_c", "created_at"]


class HeatingNetworkViewSet(RecordViewSet):
    queryset = HeatingNetwork.objects.all()
    serializer_class = HeatingNetworkSerializer
    filterset_class = HeatingNetworkFilter
    pagination_class = GeoPagination
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at"]


class OpportunityQuery(serializers.Serializer):
    """The query parameters of the opportunity list and its export: filters, assumptions and ordering."""

    # The labels are those of the page's filter form, for its error messages.
    network_kind = serializers.ChoiceField(
        choices=HeatSymbiosis.NetworkKind.choices, required=False, label=gettext_lazy("Network kind")
    )
    max_distance_m = serializers.FloatField(min_value=0, required=False, label=gettext_lazy("Max. distance (m)"))
    min_heat_mwh_per_yr = serializers.FloatField(min_value=0, required=False, label=gettext_lazy("Min. heat (MWh/yr)"))
    min_temperature_c = serializers.FloatField(
        min_value=-50, max_value=1500, required=False, label=gettext_lazy("Min. temperature (°C)")
    )
    organisation = serializers.IntegerField(min_value=1, required=False, label=gettext_lazy("Organisation"))
    include_proposed = serializers.BooleanField(
        required=False, default=False, label=gettext_lazy("Include sources already proposed")
    )
    pipe_cost_dkk_per_m = serializers.FloatField(
        min_value=0,
        max_value=1_000_000,
        required=False,
        label=gettext_lazy("Pipe cost (DKK/m)"),
        help_text=gettext_lazy("Overrides HEAT_PIPE_COST_DKK_PER_M."),
    )
    emission_factor_kg_per_mwh = serializers.FloatField(
        min_value=0,
        max_value=2000,
        required=False,
        label=gettext_lazy("Emission factor of replaced heat (kg CO2e/MWh)"),
        help_text=gettext_lazy("Overrides HEAT_DISPLACED_EMISSION_FACTOR_KG_PER_MWH."),
    )
    ordering = serializers.ChoiceField(
        choices=list(service.ORDERINGS), required=False, default="rank", label=gettext_lazy("Order by")
    )

    FILTERS = (
        "network_kind",
        "max_distance_m",
        "min_heat_mwh_per_yr",
        "min_temperature_c",
        "organisation",
        "include_proposed",
    )

    @classmethod
    def parse(cls, query_params) -> tuple[service.OpportunityFilter, service.Assumptions, str]:
        """The filters, assumptions and ordering asked for; a parameter left blank (as a form sends an empty
        field) is not asked for: no filter, the default assumption."""
        fields = cls().fields
        query = cls(data={k: v for k, v in query_params.items() if k in fields and v.strip() != ""})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        defaults = service.Assumptions()
        assumptions = service.Assumptions(
            pipe_cost_dkk_per_m=data.get("pipe_cost_dkk_per_m", defaults.pipe_cost_dkk_per_m),
            emission_factor_kg_per_mwh=data.get("emission_factor_kg_per_mwh", defaults.emission_factor_kg_per_mwh),
        )
        filters = service.OpportunityFilter(**{k: data[k] for k in cls.FILTERS if k in data})
        return filters, assumptions, data["ordering"]

    @classmethod
    def labelled(cls, errors: dict) -> dict:
        """A parse error's messages keyed by the fields' labels (as the form shows them), not their names."""
        fields = cls().fields
        return {str(fields[name].label) if name in fields else name: problems for name, problems in errors.items()}


def opportunity_features(rows: list[dict]) -> list[dict]:
    return [
        {
            "type": "Feature",
            "id": row["source_id"],
            "geometry": json.loads(row["geometry"]),
            "properties": {k: (float(v) if hasattr(v, "as_tuple") else v) for k, v in row.items() if k != "geometry"},
        }
        for row in rows
    ]


class HeatOpportunityListView(APIView):
    """Every surplus-heat source matched to its nearest district heating network, ranked."""

    queryset = HeatSource.objects.all()  # the permission to read them: view_heatsource

    @extend_schema(
        summary="Surplus-heat symbiosis opportunities, ranked (GeoJSON: the line from source to network)",
        parameters=[OpportunityQuery, OpenApiParameter("srid", int, enum=[4326, 25832])],
        responses=inline_serializer(
            "HeatOpportunities",
            {
                "type": serializers.CharField(),
                "assumptions": serializers.DictField(),
                "features": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        filters, assumptions, ordering = OpportunityQuery.parse(request.query_params)
        rows = service.opportunities(filters, assumptions, ordering, srid=requested_srid(request))
        return Response(
            {"type": "FeatureCollection", "assumptions": assumptions.as_dict(), "features": opportunity_features(rows)}
        )


class ProposeSymbiosisView(APIView):
    """POST: turn the candidate for one heat source into a symbiosis record (status idea), in one step."""

    queryset = HeatSymbiosis.objects.all()  # needs add_heatsymbiosis

    @extend_schema(
        summary="Propose the symbiosis for a heat source's candidate",
        request=None,
        parameters=[OpportunityQuery],
        responses={201: HeatSymbiosisSerializer},
    )
    def post(self, request, source_id: int):
        if not HeatSource.objects.filter(pk=source_id, archived_at__isnull=True).exists():
            raise NotFound(_("No surplus-heat source %(id)s.") % {"id": source_id})
        if request.data:  # nothing in a body is read: refused by name rather than silently dropped
            raise ValidationError(
                {
                    name: [_("This request takes no body; give the assumptions as query parameters.")]
                    for name in request.data
                }
            )
        _filters, assumptions, _ordering = OpportunityQuery.parse(request.query_params)
        try:
            symbiosis = service.propose_symbiosis(source_id, request.user, assumptions)
        except DjangoValidationError as error:
            raise ValidationError({"detail": error.messages})
        data = HeatSymbiosisSerializer(symbiosis, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)
