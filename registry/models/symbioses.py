from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ArchivableModel
from gis.validation import clean_geometry_field

from .organisations import Organisation

NOT_NEGATIVE = [MinValueValidator(Decimal(0))]


class HeatSymbiosis(ArchivableModel):
    """Surplus heat from a source delivered into a district heating or cooling network.

    The CO2e it displaces is recorded as a measure (type surplus heat) pointing here, so
    the tonnes count once, under the partnership that brokered it.
    """

    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        FEASIBILITY = "feasibility", _("Feasibility study")
        AGREED = "agreed", _("Agreed")
        UNDER_CONSTRUCTION = "under_construction", _("Under construction")
        OPERATING = "operating", _("Operating")
        CANCELLED = "cancelled", _("Cancelled")

    class NetworkKind(models.TextChoices):
        HEATING = "heating", _("District heating")
        COOLING = "cooling", _("District cooling")

    name = models.CharField(_("name"), max_length=200)
    source_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="heat_symbioses",
        verbose_name=_("heat source organisation"),
    )
    source_description = models.CharField(
        _("heat source"), max_length=300, help_text=_("E.g. kiln exhaust at a cement works, a data centre.")
    )
    receiving_network = models.CharField(_("receiving network"), max_length=200)
    network_kind = models.CharField(
        _("network kind"), max_length=10, choices=NetworkKind.choices, default=NetworkKind.HEATING
    )
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.IDEA, db_index=True)
    capacity_mw = models.DecimalField(_("capacity (MW)"), max_digits=10, decimal_places=3, validators=NOT_NEGATIVE)
    heat_mwh_per_yr = models.DecimalField(
        _("heat delivered (MWh/yr)"), max_digits=14, decimal_places=1, validators=NOT_NEGATIVE
    )
    supply_temperature_c = models.DecimalField(
        _("supply temperature (°C)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-50)), MaxValueValidator(Decimal(1500))],
    )
    source_location = models.PointField(_("heat source location"), srid=settings.STORAGE_SRID, null=True, blank=True)
    pipe_route = models.LineStringField(_("pipe route"), srid=settings.STORAGE_SRID, null=True, blank=True)
    description = models.TextField(_("description"), blank=True, default="")
    # Set when the symbiosis was proposed from a computed opportunity: that source is then no longer "unproposed".
    heat_source = models.ForeignKey(
        "HeatSource",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="symbioses",
        verbose_name=_("surplus-heat source"),
    )
    heating_network = models.ForeignKey(
        "HeatingNetwork",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="symbioses",
        verbose_name=_("district heating network"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("surplus-heat symbiosis")
        verbose_name_plural = _("surplus-heat symbioses")
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity_mw__gte=0), name="symbiosis_capacity_not_negative"),
            models.CheckConstraint(condition=models.Q(heat_mwh_per_yr__gte=0), name="symbiosis_heat_not_negative"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        clean_geometry_field(self, "source_location", ("Point",))
        clean_geometry_field(self, "pipe_route", ("LineString",))

    @property
    def pipe_length_m(self):
        return round(self.pipe_route.length) if self.pipe_route else None
