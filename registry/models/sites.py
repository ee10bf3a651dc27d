from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import IsValid
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from core.history import LeanHistoricalRecords
from core.models import ArchivableModel
from core.validators import validate_commissioning_year
from gis.models import municipality_code_for
from gis.validation import clean_geometry_field

from .organisations import Organisation

LINE_TYPES = ("LineString", "MultiLineString")
AREA_OR_POINT_TYPES = ("Point", "MultiPoint", "Polygon", "MultiPolygon")


class EnergySite(ArchivableModel):
    """A planned or existing energy site. Its tonnes live in the measures that point at it."""

    class SiteType(models.TextChoices):
        WIND = "wind", _("Wind turbines")
        SOLAR = "solar", _("Solar park")
        BIOGAS = "biogas", _("Biogas plant")
        CO2_CAPTURE = "co2_capture", _("CO2 capture")
        POWER_TO_X = "power_to_x", _("Power-to-X")
        BIOCHAR = "biochar", _("Biochar (pyrolysis)")
        GRASS_PROTEIN = "grass_protein", _("Grass protein")
        HYDROGEN_PIPE = "hydrogen_pipe", _("Hydrogen pipeline")
        CO2_PIPE = "co2_pipe", _("CO2 pipeline")

    class PlanningStatus(models.TextChoices):
        IDEA = "idea", _("Idea")
        SCREENING = "screening", _("Screening")
        LOCAL_PLAN = "local_plan", _("Local plan in preparation")
        ENVIRONMENTAL_ASSESSMENT = "environmental_assessment", _("Environmental assessment")
        APPROVED = "approved", _("Approved")
        UNDER_CONSTRUCTION = "under_construction", _("Under construction")
        OPERATING = "operating", _("Operating")
        REJECTED = "rejected", _("Rejected")

    class CapacityUnit(models.TextChoices):
        MW = "MW", _("MW")
        T_PER_YEAR = "t/yr", _("tonnes per year")
        NM3_PER_YEAR = "Nm3/yr", _("Nm³ per year")
        KM = "km", _("km of pipe")

    PIPE_TYPES = {SiteType.HYDROGEN_PIPE, SiteType.CO2_PIPE}

    # As in ArchivableModel, minus the indexes: looked up through energysite_external_id_idx; archived rows are few.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")
    name = models.CharField(_("name"), max_length=200)
    site_type = models.CharField(_("type"), max_length=30, choices=SiteType.choices)
    planning_status = models.CharField(
        _("planning status"), max_length=30, choices=PlanningStatus.choices, default=PlanningStatus.IDEA
    )
    geometry = models.GeometryField(
        _("geometry"), srid=settings.STORAGE_SRID, help_text=_("A point or polygon; a line for pipelines.")
    )
    capacity = models.DecimalField(
        _("capacity"),
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    capacity_unit = models.CharField(
        _("capacity unit"), max_length=10, choices=CapacityUnit.choices, default=CapacityUnit.MW
    )
    operator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="energy_sites",
        verbose_name=_("operator"),
    )
    commissioning_year = models.PositiveSmallIntegerField(
        _("commissioning year"), null=True, blank=True, validators=[validate_commissioning_year]
    )
    municipality_code = models.CharField(
        _("municipality"),
        max_length=4,
        blank=True,
        default="",
        editable=False,
        help_text=_("Derived from the geometry; empty when offshore or abroad."),
    )
    description = models.TextField(_("description"), blank=True, default="")
    data_source = models.CharField(_("data source"), max_length=300, blank=True, default="")

    # Imports load this table 100,000 rows at a time: no index here, or in its history, that nobody reads.
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["municipality_code"], name="energysite_municipality_idx"),
            models.Index(fields=["external_id"], name="energysite_external_id_idx"),
        ]
        verbose_name = _("energy site")
        verbose_name_plural = _("energy sites")
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=0), name="energysite_capacity_not_negative"),
            models.CheckConstraint(condition=IsValid("geometry"), name="energysite_geometry_valid"),
        ]

    def __str__(self):
        return self.name

    @property
    def in_home_municipality(self) -> bool:
        return self.municipality_code == settings.HOME_MUNICIPALITY_CODE

    def clean(self):
        allowed = LINE_TYPES if self.site_type in self.PIPE_TYPES else AREA_OR_POINT_TYPES
        clean_geometry_field(self, "geometry", allowed)

    def save(self, *args, **kwargs):
        if self.geometry is not None:
            self.municipality_code = municipality_code_for(self.geometry)
            if kwargs.get("update_fields") is not None and "geometry" in kwargs["update_fields"]:
                kwargs["update_fields"] = {*kwargs["update_fields"], "municipality_code"}
        super().save(*args, **kwargs)
