"""The raw material of symbiosis opportunities: places with surplus heat, and the networks that could take it."""

from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import IsValid
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ArchivableModel
from gis.validation import clean_geometry_field

from .organisations import Organisation
from .symbioses import NOT_NEGATIVE, HeatSymbiosis

TEMPERATURE_RANGE = [MinValueValidator(Decimal(-50)), MaxValueValidator(Decimal(1500))]


class HeatSource(ArchivableModel):
    """A factory, data centre or shop with surplus heat it could give away: one end of a possible symbiosis."""

    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="heat_sources",
        verbose_name=_("organisation"),
    )
    location = models.PointField(_("location"), srid=settings.STORAGE_SRID)
    surplus_heat_mwh_per_yr = models.DecimalField(
        _("surplus heat (MWh/yr)"),
        max_digits=14,
        decimal_places=1,
        validators=NOT_NEGATIVE,
        help_text=_("Estimated heat available in a year."),
    )
    temperature_c = models.DecimalField(
        _("temperature (°C)"), max_digits=5, decimal_places=1, validators=TEMPERATURE_RANGE
    )
    capacity_mw = models.DecimalField(
        _("capacity (MW)"), max_digits=10, decimal_places=3, null=True, blank=True, validators=NOT_NEGATIVE
    )
    description = models.TextField(_("description"), blank=True, default="")
    data_source = models.CharField(_("data source"), max_length=300, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("surplus-heat source")
        verbose_name_plural = _("surplus-heat sources")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(surplus_heat_mwh_per_yr__gte=0), name="heatsource_heat_not_negative"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        clean_geometry_field(self, "location", ("Point",))


class HeatingNetwork(ArchivableModel):
    """A district heating or cooling supply area (polygon) or network (pipes as lines)."""

    name = models.CharField(_("name"), max_length=200)
    operator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="heating_networks",
        verbose_name=_("operator"),
    )
    network_kind = models.CharField(
        _("network kind"),
        max_length=10,
        choices=HeatSymbiosis.NetworkKind.choices,
        default=HeatSymbiosis.NetworkKind.HEATING,
    )
    geometry = models.GeometryField(
        _("geometry"), srid=settings.STORAGE_SRID, help_text=_("The supply area as a polygon, or the pipes as lines.")
    )
    supply_temperature_c = models.DecimalField(
        _("supply temperature (°C)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=TEMPERATURE_RANGE,
    )
    description = models.TextField(_("description"), blank=True, default="")
    data_source = models.CharField(_("data source"), max_length=300, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("district heating network")
        verbose_name_plural = _("district heating networks")
        constraints = [models.CheckConstraint(condition=IsValid("geometry"), name="heatingnetwork_geometry_valid")]

    def __str__(self):
        return self.name

    def clean(self):
        clean_geometry_field(self, "geometry", ("Polygon", "MultiPolygon", "LineString", "MultiLineString"))
