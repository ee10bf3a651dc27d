from django.db import transaction
from rest_framework import serializers

from core.api import ModelRulesMixin
from registry.models import Organisation

from ..models import (
    ClimatePartnership,
    ExternalFunding,
    InternationalPartnership,
    Measure,
    PartnershipOrganisation,
    RealisedReduction,
    Target,
)

RECORD_FIELDS = ("id", "external_id", "created_at", "updated_at", "archived_at")
RECORD_READ_ONLY = ("created_at", "updated_at", "archived_at")


class MeasureSerializer(ModelRulesMixin, serializers.ModelSerializer):
    entered_by = serializers.StringRelatedField(read_only=True, allow_null=True)
    partnership_status = serializers.CharField(source="partnership.status", read_only=True)
    counted = serializers.BooleanField(
        source="is_counted",
        read_only=True,
        help_text="Whether the progress figures count the measure (false when archived or its partnership is "
        "cancelled or archived).",
    )

    class Meta:
        model = Measure
        fields = (
            *RECORD_FIELDS,
            "partnership",
            "title",
            "measure_type",
            "annual_reduction_t",
            "first_year",
            "method",
            "source",
            "energy_site",
            "heat_symbiosis",
            "entered_by",
            "partnership_status",
            "counted",
        )
        read_only_fields = RECORD_READ_ONLY

    def create(self, validated_data):
        validated_data["entered_by"] = self.context["request"].user
        return super().create(validated_data)


class MemberSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="organisation.id", read_only=True)
    name = serializers.CharField(source="organisation.name", read_only=True)
    cvr = serializers.CharField(source="organisation.cvr", read_only=True)

    class Meta:
        model = PartnershipOrganisation
        fields = ("id", "name", "cvr", "role")


class PartnershipSerializer(ModelRulesMixin, serializers.ModelSerializer):
    organisations = MemberSerializer(source="memberships", many=True, read_only=True)
    organisation_ids = serializers.PrimaryKeyRelatedField(
        many=True,
        write_only=True,
        required=False,
        queryset=Organisation.objects.live(),
        help_text="The organisations in the partnership; the first is the lead partner.",
    )
    measures = serializers.SerializerMethodField()

    class Meta:
        model = ClimatePartnership
        fields = (
            *RECORD_FIELDS,
            "title",
            "sector",
            "status",
            "dialogue_started_on",
            "signed_on",
            "completed_on",
            "cancelled_on",
            "notes",
            "organisations",
            "organisation_ids",
            "measures",
        )
        read_only_fields = RECORD_READ_ONLY

    def get_measures(self, partnership) -> list[dict]:
        live = [m for m in partnership.measures.all() if m.archived_at is None]
        return MeasureSerializer(live, many=True, context=self.context).data

    def validate_organisation_ids(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("An organisation is listed twice.")
        return value

    @transaction.atomic
    def create(self, validated_data):
        organisations = validated_data.pop("organisation_ids", [])
        partnership = super().create(validated_data)
        self._set_organisations(partnership, organisations)
        return partnership

    @transaction.atomic
    def update(self, instance, validated_data):
        organisations = validated_data.pop("organisation_ids", None)
        partnership = super().update(instance, validated_data)
        if organisations is not None:
            self._set_organisations(partnership, organisations)
        return partnership

    def _set_organisations(self, partnership, organisations):
        wanted = {org.pk: ("lead" if i == 0 else "partner") for i, org in enumerate(organisations)}
        for membership in partnership.memberships.all():
            if membership.organisation_id not in wanted:
                membership.delete()
            elif membership.role != wanted[membership.organisation_id]:
                membership.role = wanted[membership.organisation_id]
                membership.save()
        existing = set(partnership.memberships.values_list("organisation_id", flat=True))
        for org_id, role in wanted.items():
            if org_id not in existing:
                PartnershipOrganisation.objects.create(partnership=partnership, organisation_id=org_id, role=role)


class RealisedReductionSerializer(ModelRulesMixin, serializers.ModelSerializer):
    class Meta:
        model = RealisedReduction
        fields = ("id", "measure", "year", "realised_t", "source", "reported_on")


class InternationalPartnershipSerializer(ModelRulesMixin, serializers.ModelSerializer):
    class Meta:
        model = InternationalPartnership
        fields = (*RECORD_FIELDS, "title", "partner_name", "country", "theme", "status", "signed_on", "description")
        read_only_fields = RECORD_READ_ONLY


class ExternalFundingSerializer(ModelRulesMixin, serializers.ModelSerializer):
    class Meta:
        model = ExternalFunding
        fields = (
            *RECORD_FIELDS,
            "title",
            "funder",
            "source",
            "amount_dkk",
            "status",
            "applied_on",
            "granted_on",
            "partnership",
        )
        read_only_fields = RECORD_READ_ONLY


class TargetSerializer(ModelRulesMixin, serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = (
            "id",
            "indicator",
            "sector",
            "value",
            "value_max",
            "target_year",
            "period_start_year",
            "period_end_year",
            "source_text",
        )
