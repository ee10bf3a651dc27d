"""What a record of queued work (an import run, a report file) keeps about its job."""

import os
import socket

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .queue import job_status

# a job that ended (or that an operator deleted) while its record was not finished: it never will be
ENDED = (None, "succeeded", "failed", "cancelled", "aborted")


def this_worker() -> str:
    """host:pid of the process doing the work: shown to the user, and the process an operator would stop."""
    return f"{socket.gethostname()}:{os.getpid()}"


class QueuedWork(models.Model):
    """The job doing this work, its attempt, its worker, and the attempts a dead worker cut short.

    A subclass has a `status` field and names its final statuses in FINISHED."""

    job_id = models.BigIntegerField(null=True, blank=True, editable=False)
    attempt = models.PositiveSmallIntegerField(default=0, editable=False)
    worker = models.CharField(max_length=200, blank=True, default="", editable=False)
    interruptions = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        abstract = True

    FINISHED: tuple = ()  # each record names its final statuses
    BULKY: tuple = ()  # fields not to load when only the status is wanted (a report's file)

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    def lost_by_the_queue(self) -> bool:
        """Its job ended, or an operator deleted it, and left the record unfinished: it never will finish."""
        if self.is_finished or not self.job_id or job_status(self.job_id) not in ENDED:
            return False
        self.refresh_from_db()  # the job may have finished the record between the two reads
        return not self.is_finished

    def mark_lost(self) -> None:
        """Record that the job left this record unfinished (each record says how, in its own words)."""
        raise NotImplementedError

    def start_attempt(self, job_attempts: int) -> None:
        """Called by the task as it starts: the queue counts the attempts before this one."""
        self.attempt, self.worker = job_attempts + 1, this_worker()

    def record_interruption(self, will_retry: bool) -> None:
        self.interruptions = [
            *self.interruptions,
            {
                "attempt": self.attempt or 1,
                "worker": self.worker,
                "at": timezone.now().isoformat(),
                "retry": will_retry,
            },
        ]

    @property
    def interruption_note(self) -> str:
        """What the user reads about attempts whose worker stopped ("" when none did)."""
        if not self.interruptions:
            return ""
        count = len(self.interruptions)
        said = ngettext(
            "%(count)s attempt stopped because its worker stopped (%(workers)s); what it had written was undone.",
            "%(count)s attempts stopped because their worker stopped (%(workers)s); what they had written was undone.",
            count,
        ) % {"count": count, "workers": ", ".join(i["worker"] or "?" for i in self.interruptions)}
        if self.interruptions[-1]["retry"] and not self.is_finished:
            said += " " + _("It is tried again (attempt %(attempt)s).") % {"attempt": count + 1}
        return said
