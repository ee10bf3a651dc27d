"""What every admin page of a record shares: history, versions, and archive instead of delete."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .formats import NumberFormatError, number, number_rule, parse_number
from .versions import conflict_message, record_version, what_changed_since

# The admin's titles are the project's, translated ("Django administration" is Django's own).
admin.site.site_header = _("Climate partnership registry")
admin.site.site_title = _("Climate partnership registry")
admin.site.index_title = _("Records (admin)")


DIGIT_CODES = {"max_digits", "max_decimal_places", "max_whole_digits"}


class LocalizedDecimalField(forms.DecimalField):
    """A decimal typed as the user's language writes it: "850,5", "105.000", "1.234,5" in Danish.

    core.formats.parse_number reads it and refuses what could be read two ways ("1.5" in Danish); its
    messages about the digits, also Django's own (too many decimals), end with the rule.
    """

    def __init__(self, **kwargs):
        kwargs["localize"] = True
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_number(value)
        except NumberFormatError as error:
            raise ValidationError(str(error), code="invalid") from None

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except ValidationError as error:
            raise ValidationError(
                [
                    ValidationError(f"{message} {number_rule()}" if e.code in DIGIT_CODES else message, code=e.code)
                    for e, message in zip(error.error_list, error)
                ]
            ) from None


class LocalizedNumbers:
    """Admin (or inline) whose decimal inputs are read and shown in the user's language."""

    formfield_overrides = {models.DecimalField: {"form_class": LocalizedDecimalField}}


def plain_number(model, field: str):
    """An admin column showing an integer such as a year as digits only: "2025", never "2.025"."""

    @admin.display(description=model._meta.get_field(field).verbose_name, ordering=field)
    def column(obj):
        value = getattr(obj, field)
        return "" if value is None else str(value)

    column.__name__ = f"{field}_plain"
    return column


def trimmed_number(model, field: str):
    """An admin column showing a decimal grouped, without trailing zeros: "12.000" MW, not "12.000,000"."""
    model_field = model._meta.get_field(field)

    @admin.display(description=model_field.verbose_name, ordering=field)
    def column(obj):
        value = getattr(obj, field)
        return "" if value is None else number(value, model_field.decimal_places, trim=True)

    column.__name__ = f"{field}_trimmed"
    return column


class ArchivedFilter(admin.SimpleListFilter):
    """Shows live records unless asked for the archive."""

    title = _("archive")
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return [("no", _("Live")), ("yes", _("Archived")), ("all", _("All"))]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "no") == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "no"
        if value == "no":
            return queryset.filter(archived_at__isnull=True)
        if value == "yes":
            return queryset.filter(archived_at__isnull=False)
        return queryset


@admin.action(description=_("Archive selected records"), permissions=["archive"])
def archive_selected(modeladmin, request, queryset):
    count, _details = queryset.delete()
    modeladmin.message_user(
        request, ngettext("%d record archived.", "%d records archived.", count) % count, messages.SUCCESS
    )


@admin.action(description=_("Restore selected records from the archive"), permissions=["archive"])
def restore_selected(modeladmin, request, queryset):
    archived = list(queryset.filter(archived_at__isnull=False))
    for obj in archived:
        obj.restore()
    modeladmin.message_user(
        request,
        ngettext("%d record restored.", "%d records restored.", len(archived)) % len(archived),
        messages.SUCCESS,
    )


class VersionedForm(forms.ModelForm):
    """Carries the version the editor started from; saving over someone else's newer save is refused."""

    record_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["record_version"].initial = record_version(self.instance)

    def clean(self):
        cleaned = super().clean()
        started_from = self.data.get(self.add_prefix("record_version")) or cleaned.get("record_version")
        if self.instance.pk and started_from:
            current = type(self.instance).objects.get(pk=self.instance.pk)
            if record_version(current) != started_from:
                raise forms.ValidationError(
                    conflict_message(what_changed_since(current, started_from)), code="conflict"
                )
        return cleaned


class HistoryAdmin(LocalizedNumbers, SimpleHistoryAdmin):
    """django-simple-history's admin, except that reverting to an earlier version needs the change permission.

    Its version form saves a POST after checking only the view permission (3.13): a viewer could revert a record.
    """

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or not self.has_change_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.has_change_permission(
            request, self.get_object(request, unquote(object_id))
        ):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class RecordAdmin(HistoryAdmin):
    """Base admin for archivable records: deleting is replaced by the archive actions."""

    form = VersionedForm
    actions = [archive_selected, restore_selected]
    readonly_fields = ("created_at", "updated_at", "archived_at")

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), ArchivedFilter)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_archive_permission(self, request):
        # Archiving uses Django's 'delete' permission: nothing is ever deleted.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.delete_{opts.model_name}")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
