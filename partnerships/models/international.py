from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ArchivableModel


class InternationalPartnership(ArchivableModel):
    """A green-transition partnership with a partner abroad (indicator: 2 per year)."""

    class Status(models.TextChoices):
        EXPLORING = "exploring", _("Exploring")
        SIGNED = "signed", _("Signed")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    COUNTED_STATUSES = (Status.SIGNED, Status.ACTIVE, Status.ENDED)

    title = models.CharField(_("title"), max_length=200)
    partner_name = models.CharField(_("partner"), max_length=200)
    country = models.CharField(
        _("country"), max_length=2, validators=[RegexValidator(r"^[A-Z]{2}$", _("Use a two-letter ISO code, e.g. DE."))]
    )
    theme = models.CharField(_("theme"), max_length=200, blank=True, default="")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.EXPLORING)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_on", "title"]
        verbose_name = _("international partnership")
        verbose_name_plural = _("international partnerships")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["signed", "active", "ended"]) | models.Q(signed_on__isnull=False),
                name="international_signed_has_date",
                violation_error_message=_("A signed partnership needs a signing date."),
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.partner_name}, {self.country})"
