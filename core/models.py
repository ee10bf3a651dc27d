"""Behaviour every registry record shares: archiving instead of deleting."""

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArchivableQuerySet(models.QuerySet):
    def live(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)

    @transaction.atomic
    def delete(self):
        """Deleting archives: each record is saved so its history records who and when."""
        count = 0
        for obj in self.filter(archived_at__isnull=True):
            obj.archive()
            count += 1
        return count, {self.model._meta.label: count}


class ArchivableModel(models.Model):
    """A record that is archived, never lost: delete() sets archived_at and keeps the row."""

    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The record's key in the system it came from (an import file, the demo set): re-imports update, never duplicate.
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="", db_index=True)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def archive(self):
        self.archived_at = timezone.now()
        self.save(update_fields=["archived_at", "updated_at"])

    def restore(self):
        self.archived_at = None
        self.save(update_fields=["archived_at", "updated_at"])

    def delete(self, using=None, keep_parents=False):
        if not self.is_archived:
            self.archive()
        return 0, {self._meta.label: 0}
