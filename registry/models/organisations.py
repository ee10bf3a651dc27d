from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ArchivableModel
from core.validators import normalise_cvr, validate_cvr
from gis.validation import clean_geometry_field


class Organisation(ArchivableModel):
    """A partner organisation: a company or a farm, identified by its CVR number."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        FARM = "farm", _("Farm")
        UTILITY = "utility", _("Utility")
        PUBLIC = "public", _("Public body")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    cvr = models.CharField(
        _("CVR number"),
        max_length=8,
        blank=True,
        default="",
        validators=[validate_cvr],
        help_text=_("Danish company registration number, 8 digits."),
    )
    chr_number = models.CharField(_("CHR herd number"), max_length=20, blank=True, default="")
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    website = models.URLField(_("website"), blank=True, default="")
    notes = models.TextField(_("notes"), blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["cvr"],
                condition=~models.Q(cvr=""),
                name="organisation_cvr_unique",
                violation_error_message=_("An organisation with this CVR number already exists."),
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.cvr})" if self.cvr else self.name

    def clean_fields(self, exclude=None):
        # Normalise before the field validators see it: 'DK 2940 3473' is a fine way to type a CVR.
        self.cvr = normalise_cvr(self.cvr)
        super().clean_fields(exclude)


class OrganisationSite(ArchivableModel):
    """A place where an organisation operates (a factory, a farm); partnerships are mapped here."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sites", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    location = models.PointField(_("location"), srid=settings.STORAGE_SRID)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("organisation site")
        verbose_name_plural = _("organisation sites")

    def __str__(self):
        return f"{self.organisation.name}: {self.name}"

    def clean(self):
        clean_geometry_field(self, "location", ("Point",))
