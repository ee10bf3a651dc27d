"""Status report files, drawn by a worker of the job queue (progress/tasks.py): the half-yearly ones kept,
those asked for on request for 90 days.

The file's bytes live in the record: it is written once, in the transaction that marks it ready, so a
worker killed while drawing leaves no half-written file anywhere, and every web server can serve it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jobs.models import QueuedWork

from .reports import CONTENT_TYPES


class StatusReport(QueuedWork):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        DRAWING = "drawing", _("Being drawn")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel")
        PDF = "pdf", _("PDF")

    FINISHED = (Status.READY, Status.FAILED)
    BULKY = ("content",)

    fmt = models.CharField(_("format"), max_length=4, choices=Format.choices)
    as_of = models.DateField(_("as of"), null=True, blank=True, help_text=_("Empty: the registry as it is when drawn."))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    scheduled = models.BooleanField(_("half-yearly"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True, default="")
    filename = models.CharField(max_length=200, blank=True, default="")
    content = models.BinaryField(editable=False, null=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")

    def __str__(self):
        return self.filename or f"#{self.pk} {self.fmt}"

    def mark_lost(self) -> None:
        with translation.override(self.language):
            self.error = gettext("The job drawing it was lost; ask again.")
        self.status, self.finished_at = self.Status.FAILED, timezone.now()
        self.save(update_fields=["status", "error", "finished_at"])

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.fmt]
