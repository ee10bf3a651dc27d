from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from core.admin import trimmed_number
from gis.admin import GeoInline, GeoRecordAdmin

from .models import EnergySite, HeatSymbiosis, Organisation, OrganisationSite


class OrganisationSiteInline(GeoInline, admin.StackedInline):
    model = OrganisationSite
    extra = 0
    fields = ("name", "address", "location")


@admin.register(Organisation)
class OrganisationAdmin(GeoRecordAdmin):
    list_display = ("name", "cvr", "kind", "partnership_count")
    list_filter = ("kind",)
    search_fields = ("name", "cvr", "chr_number", "address")
    inlines = [OrganisationSiteInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _partnerships=Count("partnerships", filter=Q(partnerships__archived_at__isnull=True), distinct=True)
            )
        )

    @admin.display(description=_("partnerships"), ordering="_partnerships")
    def partnership_count(self, obj):
        return obj._partnerships


@admin.register(OrganisationSite)
class OrganisationSiteAdmin(GeoRecordAdmin):
    list_display = ("name", "organisation", "address")
    search_fields = ("name", "organisation__name", "organisation__cvr", "address")
    autocomplete_fields = ("organisation",)


class MunicipalityFilter(admin.SimpleListFilter):
    title = _("location")
    parameter_name = "where"

    def lookups(self, request, model_admin):
        return [
            ("home", _("In the municipality")),
            ("elsewhere", _("Elsewhere in Denmark")),
            ("offshore", _("Offshore / no municipality")),
        ]

    def queryset(self, request, queryset):
        from django.conf import settings

        home = settings.HOME_MUNICIPALITY_CODE
        if self.value() == "home":
            return queryset.filter(municipality_code=home)
        if self.value() == "elsewhere":
            return queryset.exclude(municipality_code__in=[home, ""])
        if self.value() == "offshore":
            return queryset.filter(municipality_code="")
        return queryset


@admin.register(EnergySite)
class EnergySiteAdmin(GeoRecordAdmin):
    list_display = (
        "name",
        "site_type",
        "planning_status",
        trimmed_number(EnergySite, "capacity"),
        "capacity_unit",
        "municipality_code",
    )
    list_filter = ("site_type", "planning_status", MunicipalityFilter)
    search_fields = ("name", "description", "operator__name", "external_id")
    autocomplete_fields = ("operator",)
    readonly_fields = (*GeoRecordAdmin.readonly_fields, "municipality_code")


@admin.register(HeatSymbiosis)
class HeatSymbiosisAdmin(GeoRecordAdmin):
    list_display = (
        "name",
        "source_organisation",
        "receiving_network",
        "status",
        trimmed_number(HeatSymbiosis, "capacity_mw"),
        trimmed_number(HeatSymbiosis, "heat_mwh_per_yr"),
    )
    list_filter = ("status", "network_kind")
    search_fields = ("name", "source_description", "receiving_network", "source_organisation__name")
    autocomplete_fields = ("source_organisation",)
