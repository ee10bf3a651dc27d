from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jobs.models import QueuedWork


class ImportRun(QueuedWork):
    """One attempt to import a file: who, what, the options, how far it got and every rejected row.

    The record is written outside the import's own transaction, so it survives a rejected or
    failed import and is the audit trail the history's change reason points to. An import from the
    upload page is a job on the queue (imports/tasks.py); one from `manage.py import` has no job.
    """

    class Kind(models.TextChoices):
        SITES = "sites", _("Energy sites")
        PARTNERSHIPS = "partnerships", _("Partnerships")
        SYMBIOSES = "symbioses", _("Surplus-heat symbioses")
        HEAT_SOURCES = "heat-sources", _("Surplus-heat sources")
        HEATING_NETWORKS = "heating-networks", _("District heating areas and networks")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        CHECKED = "checked", _("Checked, nothing written (dry run)")
        APPLIED = "applied", _("Imported")
        REJECTED = "rejected", _("Rejected, nothing written")
        REFUSED = "refused", _("File refused")
        FAILED = "failed", _("Failed, nothing written")
        INTERRUPTED = "interrupted", _("Interrupted, nothing written")

    FINISHED = (Status.CHECKED, Status.APPLIED, Status.REJECTED, Status.REFUSED, Status.FAILED, Status.INTERRUPTED)
    APPLICABLE = (Status.CHECKED, Status.REJECTED)  # nothing written yet; the kept upload can still be imported
    UNUSABLE = (Status.REFUSED, Status.FAILED, Status.INTERRUPTED)  # the upload can never be imported: not kept

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    stored_file = models.CharField(
        max_length=500, blank=True, default="", editable=False, help_text="Path under IMPORT_ROOT; never served."
    )
    file_sha256 = models.CharField(max_length=64, blank=True, default="")
    file_format = models.CharField(_("format"), max_length=20, blank=True, default="")
    layer = models.CharField(_("layer or sheet"), max_length=200, blank=True, default="")
    options = models.JSONField(default=dict, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=True)
    valid_rows_only = models.BooleanField(_("valid rows only"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=20, blank=True, default="")
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected rows"), default=0)
    rejections = models.JSONField(default=list, blank=True)
    mapped_columns = models.JSONField(default=dict, blank=True)
    notices = models.JSONField(default=list, blank=True)
    error = models.TextField(_("error"), blank=True, default="")
    # the language of who started it: a worker writes the run's messages in it
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        permissions = [("run_import", _("Can import files"))]

    def __str__(self):
        return f"#{self.pk} {self.file_name} ({self.get_kind_display()})"

    @property
    def change_reason(self) -> str:
        """What the history of every record it touched says about where the change came from."""
        return f"import #{self.pk}: {self.file_name}"[:100]

    def looks_abandoned(self) -> bool:
        """A command-line run whose process died stops beating; its transaction was rolled back.

        A queued run is never guessed at: the queue notices a dead worker (jobs/tasks.py)."""
        beat = self.heartbeat_at or self.created_at
        return not self.is_finished and self.job_id is None and timezone.now() - beat > timedelta(minutes=10)

    def mark_lost(self) -> None:
        from .service import finish

        with translation.override(self.language):
            if self.job_id is None:
                self.error = gettext("The import stopped (its process ended?); nothing was written.")
            else:
                self.error = gettext(
                    "Its job left the queue unfinished (stopped by an operator?); nothing was written."
                )
        self.status = self.Status.INTERRUPTED
        finish(self)  # it can never be applied: its upload leaves the disk with it

    @property
    def can_apply(self) -> bool:
        return self.status in self.APPLICABLE and bool(self.stored_file)
