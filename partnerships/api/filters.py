import django_filters

from core.api import YearFilter

from ..models import ClimatePartnership, ExternalFunding, InternationalPartnership, Measure, Sector


class PartnershipFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ClimatePartnership.Status.choices)
    year_signed = YearFilter(field_name="signed_on", lookup_expr="year")
    organisation = django_filters.NumberFilter(field_name="organisations")
    cvr = django_filters.CharFilter(field_name="organisations__cvr")

    class Meta:
        model = ClimatePartnership
        fields = ["sector", "status", "year_signed", "organisation", "cvr"]


class MeasureFilter(django_filters.FilterSet):
    sector = django_filters.ChoiceFilter(field_name="partnership__sector", choices=Sector.choices)
    status = django_filters.MultipleChoiceFilter(
        field_name="partnership__status", choices=ClimatePartnership.Status.choices
    )
    type = django_filters.MultipleChoiceFilter(field_name="measure_type", choices=Measure.MeasureType.choices)
    year_signed = YearFilter(field_name="partnership__signed_on", lookup_expr="year")
    organisation = django_filters.NumberFilter(field_name="partnership__organisations")
    first_year = YearFilter()

    class Meta:
        model = Measure
        fields = [
            "partnership",
            "sector",
            "status",
            "type",
            "first_year",
            "energy_site",
            "heat_symbiosis",
            "year_signed",
            "organisation",
        ]


class InternationalFilter(django_filters.FilterSet):
    year_signed = YearFilter(field_name="signed_on", lookup_expr="year")

    class Meta:
        model = InternationalPartnership
        fields = ["status", "country", "year_signed"]


class FundingFilter(django_filters.FilterSet):
    year_granted = YearFilter(field_name="granted_on", lookup_expr="year")

    class Meta:
        model = ExternalFunding
        fields = ["status", "source", "partnership", "year_granted"]
