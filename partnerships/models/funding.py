from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ArchivableModel

from .partnerships import ClimatePartnership


class ExternalFunding(ArchivableModel):
    """Money attracted from EU and Danish funds (indicator: DKK 50 million per year, by grant date)."""

    class Source(models.TextChoices):
        EU = "eu", _("EU programme")
        NATIONAL = "national", _("Danish public fund")
        FOUNDATION = "foundation", _("Private foundation")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        GRANTED = "granted", _("Granted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("project"), max_length=200)
    funder = models.CharField(_("funder / programme"), max_length=200)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    amount_dkk = models.DecimalField(
        _("amount (DKK)"), max_digits=14, decimal_places=0, validators=[MinValueValidator(Decimal(0))]
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    partnership = models.ForeignKey(
        ClimatePartnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding",
        verbose_name=_("partnership"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_on", "title"]
        verbose_name = _("external funding")
        verbose_name_plural = _("external funding")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_dkk__gte=0), name="funding_amount_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(status="granted") | models.Q(granted_on__isnull=False),
                name="funding_granted_has_date",
                violation_error_message=_("Granted funding needs a grant date."),
            ),
        ]

    def __str__(self):
        return f"{self.title}: DKK {self.amount_dkk:,.0f}"
