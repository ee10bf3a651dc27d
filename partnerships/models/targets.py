from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.validators import validate_year

from .partnerships import Sector


class Target(models.Model):
    """A target of the strategy, kept as data so the next strategy period can change it."""

    class Indicator(models.TextChoices):
        REDUCTION_T = "reduction_t", _("Annual reduction potential (t CO2e/yr)")
        PARTNERSHIPS_PER_YEAR = "partnerships_per_year", _("Climate partnerships signed per year")
        INTERNATIONAL_PER_YEAR = "international_per_year", _("International partnerships per year")
        FUNDING_DKK_PER_YEAR = "funding_dkk_per_year", _("External funding per year (DKK)")

    SECTOR_INDICATORS = {Indicator.REDUCTION_T, Indicator.PARTNERSHIPS_PER_YEAR}

    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True, default="")
    value = models.DecimalField(
        _("target"), max_digits=14, decimal_places=0, validators=[MinValueValidator(Decimal(0))]
    )
    value_max = models.DecimalField(
        _("upper end of target range"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    target_year = models.PositiveSmallIntegerField(
        _("to be reached by"), null=True, blank=True, validators=[validate_year]
    )
    period_start_year = models.PositiveSmallIntegerField(_("strategy period from"), validators=[validate_year])
    period_end_year = models.PositiveSmallIntegerField(_("strategy period to"), validators=[validate_year])
    source_text = models.CharField(_("wording in the strategy"), max_length=300, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "sector"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "sector", "period_start_year"], name="target_once_per_period"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="target_not_negative"),
        ]

    def __str__(self):
        sector = f" ({self.get_sector_display()})" if self.sector else ""
        return f"{self.get_indicator_display()}{sector}: {self.value}"

    def clean(self):
        errors = {}
        if self.indicator in self.SECTOR_INDICATORS and not self.sector:
            errors["sector"] = gettext("This indicator is set per sector.")
        if self.indicator not in self.SECTOR_INDICATORS and self.sector:
            errors["sector"] = gettext("This indicator has no sector.")
        if self.value_max is not None and self.value is not None and self.value_max < self.value:
            errors["value_max"] = gettext("The upper end is below the target.")
        if self.period_start_year and self.period_end_year and self.period_end_year < self.period_start_year:
            errors["period_end_year"] = gettext("The period ends before it starts.")
        if errors:
            raise ValidationError(errors)
