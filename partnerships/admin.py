from django.contrib import admin
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin, LocalizedNumbers, RecordAdmin, plain_number, trimmed_number
from core.formats import number
from registry.admin import EnergySiteAdmin
from registry.models import EnergySite

from .models import (
    ClimatePartnership,
    ExternalFunding,
    InternationalPartnership,
    Measure,
    PartnershipOrganisation,
    RealisedReduction,
    Target,
)
from .models.measures import with_reduction_potential


class LabelledFields:
    """A tabular inline's fields have only the column header above them: each gets its label as aria-label
    (WCAG 1.3.1, 4.1.2), the row's delete box too."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class Labelled(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for field in form.fields.values():
                    # the admin's wrapper of a related field shares its attrs with the base form's widget
                    widget = getattr(field.widget, "widget", field.widget)
                    if not widget.is_hidden:
                        widget.attrs.setdefault("aria-label", str(field.label))

        return Labelled


class PartnershipOrganisationInline(LabelledFields, admin.TabularInline):
    model = PartnershipOrganisation
    extra = 0
    autocomplete_fields = ("organisation",)


class MeasureInline(LabelledFields, LocalizedNumbers, admin.TabularInline):
    model = Measure
    extra = 0
    fields = (
        "title",
        "measure_type",
        "annual_reduction_t",
        "first_year",
        "method",
        "source",
        "energy_site",
        "heat_symbiosis",
    )
    autocomplete_fields = ("energy_site", "heat_symbiosis")
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).filter(archived_at__isnull=True)


def _set_entered_by(request, obj):
    if obj.entered_by_id is None:
        obj.entered_by = request.user


@admin.register(ClimatePartnership)
class ClimatePartnershipAdmin(RecordAdmin):
    list_display = ("title", "sector", "status", "signed_on", "committed_t")
    list_filter = ("sector", "status", ("signed_on", admin.DateFieldListFilter))
    search_fields = ("title", "organisations__name", "organisations__cvr", "external_id")
    date_hierarchy = "signed_on"
    inlines = [PartnershipOrganisationInline, MeasureInline]
    autocomplete_fields = ("manager",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_tonnes=Sum("measures__annual_reduction_t", filter=Q(measures__archived_at__isnull=True)))
        )

    @admin.display(description=_("t CO2e/yr in measures"), ordering="_tonnes")
    def committed_t(self, obj):
        return obj._tonnes

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Measure):
                _set_entered_by(request, instance)
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


class RealisedReductionInline(LabelledFields, LocalizedNumbers, admin.TabularInline):
    model = RealisedReduction
    extra = 0


@admin.register(Measure)
class MeasureAdmin(RecordAdmin):
    list_display = (
        "title",
        "partnership",
        "measure_type",
        trimmed_number(Measure, "annual_reduction_t"),
        plain_number(Measure, "first_year"),
        "method",
        "entered_by",
    )
    list_filter = ("measure_type", "method", "partnership__sector", "partnership__status", "first_year")
    search_fields = ("title", "source", "partnership__title")
    autocomplete_fields = ("partnership", "energy_site", "heat_symbiosis")
    readonly_fields = (*RecordAdmin.readonly_fields, "entered_by")
    inlines = [RealisedReductionInline]

    def save_model(self, request, obj, form, change):
        _set_entered_by(request, obj)
        super().save_model(request, obj, form, change)


@admin.register(InternationalPartnership)
class InternationalPartnershipAdmin(RecordAdmin):
    list_display = ("title", "partner_name", "country", "status", "signed_on")
    list_filter = ("status", "country")
    search_fields = ("title", "partner_name", "theme")


@admin.register(ExternalFunding)
class ExternalFundingAdmin(RecordAdmin):
    list_display = ("title", "funder", "source", "status", "amount_dkk", "granted_on")
    list_filter = ("source", "status")
    search_fields = ("title", "funder")
    autocomplete_fields = ("partnership",)


@admin.register(Target)
class TargetAdmin(HistoryAdmin):
    list_display = (
        "indicator",
        "sector",
        "value",
        "value_max",
        plain_number(Target, "target_year"),
        plain_number(Target, "period_start_year"),
        plain_number(Target, "period_end_year"),
    )
    list_filter = ("indicator", "sector")

    def has_delete_permission(self, request, obj=None):
        return False  # targets are changed, never deleted (as in the API): the history keeps every value


class EnergySiteTonnesAdmin(EnergySiteAdmin):
    """The registry's energy-site admin with the tonnes each site's measures add to the progress figures."""

    list_display = (*EnergySiteAdmin.list_display, "committed_t", "pipeline_t")

    def get_queryset(self, request):
        return with_reduction_potential(super().get_queryset(request))

    @admin.display(description=_("committed t CO2e/yr (signed measures)"), ordering="committed_t")
    def committed_t(self, obj):
        return number(obj.committed_t, 1, trim=True)

    @admin.display(description=_("pipeline t CO2e/yr (measures in dialogue)"), ordering="pipeline_t")
    def pipeline_t(self, obj):
        return number(obj.pipeline_t, 1, trim=True)


# Sites are the registry's; the tonnes on them are this app's, so this app completes their admin.
admin.site.unregister(EnergySite)
admin.site.register(EnergySite, EnergySiteTonnesAdmin)
