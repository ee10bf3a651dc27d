from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ArchivableModel, ArchivableQuerySet
from core.validators import validate_year
from registry.models import Organisation


class Sector(models.TextChoices):
    INDUSTRY = "industry", _("Industry")
    AGRICULTURE = "agriculture", _("Agriculture")


class PartnershipQuerySet(ArchivableQuerySet):
    def committed(self):
        return self.filter(status__in=ClimatePartnership.COMMITTED_STATUSES)

    def pipeline(self):
        return self.filter(status=ClimatePartnership.Status.DIALOGUE)


class ClimatePartnership(ArchivableModel):
    """An agreement between the municipality and one or more organisations (klimapartnerskab)."""

    class Status(models.TextChoices):
        DIALOGUE = "dialogue", _("In dialogue")
        SIGNED = "signed", _("Signed")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    COMMITTED_STATUSES = (Status.SIGNED, Status.ACTIVE, Status.COMPLETED)
    # Whose measures count in the progress figures: committed, or in the pipeline (dialogue); cancelled nowhere.
    COUNTED_STATUSES = (*COMMITTED_STATUSES, Status.DIALOGUE)
    # The lifecycle: dialogue -> signed -> active -> completed, or cancelled before completion.
    START_STATUSES = (Status.DIALOGUE, Status.SIGNED)
    TRANSITIONS = {
        Status.DIALOGUE: {Status.SIGNED, Status.CANCELLED},
        Status.SIGNED: {Status.ACTIVE, Status.CANCELLED},
        Status.ACTIVE: {Status.COMPLETED, Status.CANCELLED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
    }

    title = models.CharField(_("title"), max_length=200)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DIALOGUE, db_index=True
    )
    organisations = models.ManyToManyField(
        Organisation, through="PartnershipOrganisation", related_name="partnerships", verbose_name=_("organisations")
    )
    dialogue_started_on = models.DateField(_("dialogue started on"), null=True, blank=True)
    signed_on = models.DateField(
        _("signed on"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Decides which year's count the partnership belongs to."),
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partnership manager"),
    )
    agreement = models.FileField(_("signed agreement"), upload_to="agreements/%Y/", blank=True)
    notes = models.TextField(_("notes"), blank=True, default="")

    objects = PartnershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_on", "title"]
        verbose_name = _("climate partnership")
        verbose_name_plural = _("climate partnerships")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["signed", "active", "completed"]) | models.Q(signed_on__isnull=False),
                name="partnership_signed_has_date",
                violation_error_message=_("A signed, active or completed partnership needs a signing date."),
            )
        ]

    def __str__(self):
        return self.title

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.__dict__.get("status")
        return instance

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._stored_status = self.status  # the next change is a move from here

    @property
    def is_committed(self) -> bool:
        return self.status in self.COMMITTED_STATUSES

    @classmethod
    def path_to(cls, status: str, signed: bool) -> list[str]:
        """The moves a record of the past takes from where a new partnership starts (dialogue or signed)."""
        if status in cls.START_STATUSES:
            return [status]
        if status == cls.Status.CANCELLED:
            return [cls.Status.SIGNED if signed else cls.Status.DIALOGUE, status]
        committed = [cls.Status.SIGNED, cls.Status.ACTIVE, cls.Status.COMPLETED]
        return committed[: committed.index(status) + 1]

    def save_through_lifecycle(self, save=None) -> None:
        """Create a partnership in any status by its allowed moves, each one checked and kept in history.

        `save` saves one step (default: full_clean, then save). A record of the past brings its own dates:
        none is filled in with today's (a completed partnership without its completion date is refused,
        naming the field)."""
        save = save or (lambda partnership: (partnership.full_clean(), partnership.save()))
        final, ends = self.status, {"completed_on": self.completed_on, "cancelled_on": self.cancelled_on}
        self._recording_past = True
        try:
            for step in self.path_to(final, bool(self.signed_on)):
                self.status = step
                for field, value in ends.items():  # an end date belongs to the last move only
                    setattr(self, field, value if step == final else None)
                save(self)
        finally:
            del self._recording_past

    def _fill_lifecycle_dates(self, stored) -> None:
        """A move made now dates itself when the user gave no date: signing says the dialogue began at
        the latest then; completing and cancelling happen today."""
        if stored == self.status or getattr(self, "_recording_past", False):
            return
        today = timezone.localdate()
        if self.status == self.Status.SIGNED and not self.dialogue_started_on and self.signed_on:
            self.dialogue_started_on = self.signed_on
        if self.status == self.Status.COMPLETED and not self.completed_on:
            self.completed_on = today
        if self.status == self.Status.CANCELLED and not self.cancelled_on:
            self.cancelled_on = today

    def _lifecycle_errors(self, stored) -> dict:
        errors = {}
        if self._state.adding and stored is None and self.status not in self.START_STATUSES:
            errors["status"] = gettext("A new partnership starts in dialogue or signed; it moves on from there.")
        elif stored and stored != self.status and self.status not in self.TRANSITIONS[stored]:
            errors["status"] = gettext("A partnership cannot go from %(old)s to %(new)s.") % {
                "old": self.Status(stored).label,
                "new": self.Status(self.status).label,
            }
        if self.completed_on and self.status != self.Status.COMPLETED:
            errors["completed_on"] = gettext("Only a completed partnership has a completion date.")
        if self.status == self.Status.COMPLETED and not self.completed_on:
            errors["completed_on"] = gettext("A completed partnership needs its completion date.")
        if self.cancelled_on and self.status != self.Status.CANCELLED:
            errors["cancelled_on"] = gettext("Only a cancelled partnership has a cancellation date.")
        if self.status == self.Status.CANCELLED and not self.cancelled_on:
            errors["cancelled_on"] = gettext("A cancelled partnership needs its cancellation date.")
        started = self.signed_on or self.dialogue_started_on
        if self.cancelled_on and started and self.cancelled_on < started:
            errors["cancelled_on"] = gettext("The cancellation date is before the partnership began.")
        return errors

    def clean(self):
        stored = getattr(self, "_stored_status", None)
        self._fill_lifecycle_dates(stored)
        errors = self._lifecycle_errors(stored)
        if self.status in self.COMMITTED_STATUSES and not self.signed_on:
            errors["signed_on"] = gettext("A signed, active or completed partnership needs a signing date.")
        for field in ("dialogue_started_on", "signed_on", "completed_on", "cancelled_on"):
            value = getattr(self, field)
            if value is None:
                continue
            try:
                validate_year(value.year)
            except ValidationError as error:
                errors[field] = error.messages
            if value > timezone.localdate():
                errors[field] = gettext("The date cannot be in the future.")
        if self.signed_on and self.dialogue_started_on and self.signed_on < self.dialogue_started_on:
            errors["signed_on"] = gettext("The signing date is before the dialogue started.")
        if self.completed_on and self.signed_on and self.completed_on < self.signed_on:
            errors["completed_on"] = gettext("The completion date is before the signing date.")
        if errors:
            raise ValidationError(errors)


class PartnershipOrganisation(models.Model):
    """An organisation's part in a partnership; tonnes never live here, so two members never double a total."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead partner")
        PARTNER = "partner", _("Partner")

    partnership = models.ForeignKey(
        ClimatePartnership, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("partnership")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.LEAD)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "organisation"], name="partnership_organisation_once")
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"
