from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from core.api import ModelRulesMixin
from gis.api import CrsGeometryField, FeatureInputMixin

from ..models import EnergySite, HeatSymbiosis, Organisation, OrganisationSite

RECORD_FIELDS = ("id", "external_id", "created_at", "updated_at", "archived_at")


class OrganisationSerializer(ModelRulesMixin, serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = (*RECORD_FIELDS, "name", "kind", "cvr", "chr_number", "address", "website", "notes")
        read_only_fields = ("created_at", "updated_at", "archived_at")


class OrganisationSiteSerializer(FeatureInputMixin, ModelRulesMixin, GeoFeatureModelSerializer):
    location = CrsGeometryField()

    class Meta:
        model = OrganisationSite
        geo_field = "location"
        fields = (*RECORD_FIELDS, "organisation", "name", "address", "location")
        read_only_fields = ("created_at", "updated_at", "archived_at")


class EnergySiteSerializer(FeatureInputMixin, ModelRulesMixin, GeoFeatureModelSerializer):
    geometry = CrsGeometryField()
    in_home_municipality = serializers.BooleanField(read_only=True)

    class Meta:
        model = EnergySite
        geo_field = "geometry"
        fields = (
            *RECORD_FIELDS,
            "name",
            "site_type",
            "planning_status",
            "geometry",
            "capacity",
            "capacity_unit",
            "operator",
            "commissioning_year",
            "municipality_code",
            "in_home_municipality",
            "description",
            "data_source",
        )
        read_only_fields = ("created_at", "updated_at", "archived_at", "municipality_code")


class HeatSymbiosisSerializer(FeatureInputMixin, ModelRulesMixin, GeoFeatureModelSerializer):
    pipe_route = CrsGeometryField(required=False, allow_null=True)
    source_location = CrsGeometryField(required=False, allow_null=True)

    class Meta:
        model = HeatSymbiosis
        geo_field = "pipe_route"
        fields = (
            *RECORD_FIELDS,
            "name",
            "source_organisation",
            "source_description",
            "receiving_network",
            "network_kind",
            "status",
            "capacity_mw",
            "heat_mwh_per_yr",
            "supply_temperature_c",
            "source_location",
            "pipe_route",
            "description",
        )
        read_only_fields = ("created_at", "updated_at", "archived_at")
