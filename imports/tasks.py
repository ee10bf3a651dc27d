"""Imports from the upload page, done by a worker of the job queue.

An attempt runs the whole import in one transaction (imports/service.py): a worker killed halfway
leaves nothing written, the queue notices (jobs/tasks.py) and the run is tried again by any worker,
at most IMPORT_RETRIES more times, or marked failed with the reason. The page reads the run's record,
so it follows the import whichever web server it asks.
"""

from pathlib import Path

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from jobs.queue import attempt_of, defer
from jobs.signals import job_interrupted

from .models import ImportRun
from .service import ImportOptions, ProgressReporter, execute, finish

TASK = "imports.run"
IMPORT_RETRIES = 2  # after a lost worker or a lost database connection: three attempts in all


def queue_import(run: ImportRun) -> None:
    """Put the run on the queue, in the same transaction as the run's record."""
    with transaction.atomic():
        run.job_id = defer(TASK, run_id=run.pk)
        run.save(update_fields=["job_id"])


@app.task(
    name=TASK,
    queue="imports",
    pass_context=True,
    retry=RetryStrategy(max_attempts=IMPORT_RETRIES, wait=5, retry_exceptions={InterfaceError, OperationalError}),
)
def run_import(context, run_id: int) -> str:
    with attempt_of(context.job.id) as mine:
        run = ImportRun.objects.get(pk=run_id)
        if not mine or run.is_finished:  # another attempt runs it, or one finished before the queue heard
            return run.status
        run.start_attempt(context.job.attempts)
        with translation.override(run.language):  # the rejection reasons in the language of who uploaded it
            execute(
                run,
                Path(settings.IMPORT_ROOT) / run.stored_file,
                ImportOptions.of_run(run),
                ProgressReporter(run, live=True),
            )
        return run.status


@receiver(job_interrupted, sender=run_import)
def import_interrupted(sender, job, will_retry, **kwargs):
    run = ImportRun.objects.filter(pk=job.task_kwargs.get("run_id")).first()
    if run is None or run.is_finished:
        return
    run.record_interruption(will_retry)
    run.phase, run.rows_done = "", 0
    if will_retry:
        run.status = ImportRun.Status.QUEUED
        run.save()
    else:
        run.status = ImportRun.Status.FAILED
        with translation.override(run.language):
            run.error = _("Its worker stopped during every attempt; nothing was written.")
        finish(run)
