from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.formats import tonnes
from core.models import ArchivableModel, ArchivableQuerySet
from core.validators import MAX_YEAR, MIN_YEAR, validate_year
from registry.models import EnergySite, HeatSymbiosis

from .partnerships import ClimatePartnership

NOT_NEGATIVE = [MinValueValidator(Decimal(0))]


def counted(prefix: str = "") -> models.Q:
    """The measures the progress figures count: live, of a live partnership in a counted status (a cancelled or
    archived partnership's measures count nowhere). `prefix` reaches them from another model ("measures__")."""
    return models.Q(
        **{
            f"{prefix}archived_at__isnull": True,
            f"{prefix}partnership__archived_at__isnull": True,
            f"{prefix}partnership__status__in": ClimatePartnership.COUNTED_STATUSES,
        }
    )


def site_tonnes(bucket: str, site: str = "pk") -> models.Expression:
    """The t CO2e/yr a site's counted measures add to one bucket of the progress figures: "committed" (signed,
    active or completed partnerships) or "pipeline" (in dialogue). A subquery per site, so a list or a layer
    joins nothing; the one definition the site API, the admin, the map's popup and the exports read."""
    statuses = ClimatePartnership.COMMITTED_STATUSES if bucket == "committed" else (ClimatePartnership.Status.DIALOGUE,)
    tonnes = (
        Measure.objects.filter(counted(), energy_site=models.OuterRef(site), partnership__status__in=statuses)
        .order_by()
        .values("energy_site")
        .annotate(t=models.Sum("annual_reduction_t"))
        .values("t")
    )
    field = models.DecimalField(max_digits=14, decimal_places=2)
    return Coalesce(models.Subquery(tonnes, output_field=field), models.Value(Decimal(0)), output_field=field)


def with_reduction_potential(sites):
    """Energy sites annotated `committed_t` and `pipeline_t` (computed, never stored)."""
    return sites.annotate(committed_t=site_tonnes("committed"), pipeline_t=site_tonnes("pipeline"))


class MeasureQuerySet(ArchivableQuerySet):
    def counted(self):
        return self.filter(counted())


class Measure(ArchivableModel):
    """A measure (tiltag) in a partnership: THE one place where tonnes CO2e/yr live.

    A site or symbiosis built under a partnership is linked from its measure; its own
    reduction potential is the sum of those measures, never a second number.
    """

    class MeasureType(models.TextChoices):
        ENERGY_EFFICIENCY = "energy_efficiency", _("Energy efficiency")
        FUEL_SWITCH = "fuel_switch", _("Fuel switch")
        ELECTRIFICATION = "electrification", _("Electrification")
        SURPLUS_HEAT = "surplus_heat", _("Surplus heat delivery")
        RENEWABLE_ENERGY = "renewable_energy", _("Renewable energy")
        BIOGAS = "biogas", _("Biogas")
        CARBON_CAPTURE = "carbon_capture", _("Carbon capture")
        LAND_USE = "land_use", _("Land use (e.g. lowland soils out of production)")
        FEED_ADDITIVE = "feed_additive", _("Feed additive")
        MANURE_HANDLING = "manure_handling", _("Manure handling")
        BIOCHAR = "biochar", _("Biochar")
        TRANSPORT = "transport", _("Transport")
        OTHER = "other", _("Other")

    class Method(models.TextChoices):
        CALCULATED = "calculated", _("Calculated from energy data")
        STANDARD_FACTOR = "standard_factor", _("Standard emission factors")
        MEASURED = "measured", _("Measured")
        EXPERT_ESTIMATE = "expert_estimate", _("Expert estimate")

    partnership = models.ForeignKey(
        ClimatePartnership, on_delete=models.PROTECT, related_name="measures", verbose_name=_("partnership")
    )
    title = models.CharField(_("title"), max_length=200)
    measure_type = models.CharField(_("type"), max_length=30, choices=MeasureType.choices, db_index=True)
    annual_reduction_t = models.DecimalField(
        _("expected reduction (t CO2e/yr)"), max_digits=12, decimal_places=2, validators=NOT_NEGATIVE
    )
    first_year = models.PositiveSmallIntegerField(_("first year in effect"), validators=[validate_year])
    method = models.CharField(_("estimation method"), max_length=20, choices=Method.choices)
    source = models.CharField(
        _("source of the estimate"),
        max_length=300,
        help_text=_("Report, calculation tool or person the figure comes from."),
    )
    energy_site = models.ForeignKey(
        EnergySite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("energy site"),
    )
    heat_symbiosis = models.ForeignKey(
        HeatSymbiosis,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("heat symbiosis"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        editable=False,
    )

    objects = MeasureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "first_year", "title"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annual_reduction_t__gte=0),
                name="measure_tonnes_not_negative",
                violation_error_message=_("Tonnes cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(first_year__gte=MIN_YEAR, first_year__lte=MAX_YEAR),
                name="measure_first_year_in_range",
            ),
        ]

    @property
    def is_counted(self) -> bool:
        """The rule of `counted()`, for one measure already in hand."""
        partnership = self.partnership
        return (
            self.archived_at is None
            and partnership.archived_at is None
            and partnership.status in ClimatePartnership.COUNTED_STATUSES
        )

    def __str__(self):
        return f"{self.title} ({tonnes(self.annual_reduction_t, 2)})"


class RealisedReduction(models.Model):
    """The reduction a measure actually delivered in one year, as reported."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="realised", verbose_name=_("measure"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[validate_year])
    realised_t = models.DecimalField(
        _("realised reduction (t CO2e)"), max_digits=12, decimal_places=2, validators=NOT_NEGATIVE
    )
    source = models.CharField(_("source"), max_length=300, blank=True, default="")
    reported_on = models.DateField(_("reported on"), default=timezone.localdate)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "year"]
        verbose_name = _("realised reduction")
        verbose_name_plural = _("realised reductions")
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "year"],
                name="realised_once_per_year",
                violation_error_message=_("This measure already has a figure for that year."),
            ),
            models.CheckConstraint(condition=models.Q(realised_t__gte=0), name="realised_not_negative"),
            models.CheckConstraint(
                condition=models.Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="realised_year_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.measure.title} {self.year}: {self.realised_t} t"

    def clean(self):
        if self.year and self.year > timezone.localdate().year:
            raise ValidationError({"year": gettext("A realised reduction cannot be reported for a future year.")})
