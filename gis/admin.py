from django.contrib import admin
from django.contrib.gis import admin as gis_admin

from .models import Municipality
from .widgets import LocalOSMWidget


@admin.register(Municipality)
class MunicipalityAdmin(gis_admin.GISModelAdmin):
    gis_widget = LocalOSMWidget
    list_display = ("code", "name")
    search_fields = ("code", "name")
