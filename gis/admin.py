from django.contrib import admin
from django.contrib.gis import admin as gis_admin

from core.admin import RecordAdmin

from .models import Municipality
from .widgets import LocalOSMWidget


@admin.register(Municipality)
class MunicipalityAdmin(gis_admin.GISModelAdmin):
    gis_widget = LocalOSMWidget
    list_display = ("code", "name")
    search_fields = ("code", "name")


class GeoRecordAdmin(gis_admin.options.GeoModelAdminMixin, RecordAdmin):
    """The core's record admin with our local map widget for geometry fields."""

    gis_widget = LocalOSMWidget


class GeoInline(gis_admin.options.GeoModelAdminMixin):
    """Inline forms with the same local map widget."""

    gis_widget = LocalOSMWidget
