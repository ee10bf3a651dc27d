import django_filters

from gis.filters import SpatialFilterSet

from ..models import EnergySite, HeatSymbiosis, Organisation, OrganisationSite


class OrganisationFilter(django_filters.FilterSet):
    class Meta:
        model = Organisation
        fields = {"kind": ["exact"], "cvr": ["exact"]}


class OrganisationSiteFilter(SpatialFilterSet):
    geometry_field = "location"

    class Meta:
        model = OrganisationSite
        fields = {"organisation": ["exact"]}


class EnergySiteFilter(SpatialFilterSet):
    type = django_filters.MultipleChoiceFilter(field_name="site_type", choices=EnergySite.SiteType.choices)
    status = django_filters.MultipleChoiceFilter(
        field_name="planning_status", choices=EnergySite.PlanningStatus.choices
    )
    organisation = django_filters.NumberFilter(field_name="operator")

    class Meta:
        model = EnergySite
        fields = ["type", "status", "organisation", "municipality_code"]


class HeatSymbiosisFilter(SpatialFilterSet):
    geometry_field = "pipe_route"
    status = django_filters.MultipleChoiceFilter(choices=HeatSymbiosis.Status.choices)
    organisation = django_filters.NumberFilter(field_name="source_organisation")

    class Meta:
        model = HeatSymbiosis
        fields = ["status", "organisation", "network_kind"]
