"""Status report files drawn by a worker of the job queue: on request, and each half year by itself.

A PDF takes seconds of CPU to draw; in a worker it holds no web server. The file is stored in the
transaction that marks it ready (progress/models.py), so a worker killed while drawing leaves
nothing; the queue notices the dead worker (jobs/tasks.py) and another draws it again.
"""

import datetime as dt
import logging

from django.db import InterfaceError, OperationalError, transaction
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from jobs.queue import attempt_of, defer
from jobs.signals import job_interrupted

from . import reports
from .models import StatusReport

logger = logging.getLogger(__name__)

TASK = "progress.draw_status_report"
REPORT_RETRIES = 2  # after a lost worker or a lost database connection: three attempts in all
KEEP_REQUESTED_DAYS = 90
WAITING_PER_USER = 3  # unfinished reports one user may have asked for at a time
# The half-yearly report to the business council, as of 30 June and 31 December: drawn once the day is over
# in Copenhagen (croniter reads the schedule in UTC: 00:10 UTC is 01:10 or 02:10 in Copenhagen).
HALF_YEAR_CRON = "10 0 1 1,7 *"


class TooManyWaiting(Exception):
    """A user asked for more reports than WAITING_PER_USER before the first were drawn."""


def queue_report(fmt: str, *, language: str, as_of: dt.date | None = None, user=None, scheduled=False) -> StatusReport:
    """Record the request and put it on the queue, in one transaction."""
    if user is not None:
        waiting = StatusReport.objects.filter(requested_by=user).exclude(status__in=StatusReport.FINISHED).count()
        if waiting >= WAITING_PER_USER:
            raise TooManyWaiting(
                _("You have %(count)s reports waiting to be drawn; ask again when one is ready.") % {"count": waiting}
            )
    with transaction.atomic():
        report = StatusReport.objects.create(
            fmt=fmt, as_of=as_of, language=language, requested_by=user, scheduled=scheduled
        )
        report.job_id = defer(TASK, report_id=report.pk)
        report.save(update_fields=["job_id"])
    return report


@app.task(
    name=TASK,
    queue="reports",
    pass_context=True,
    retry=RetryStrategy(max_attempts=REPORT_RETRIES, wait=5, retry_exceptions={InterfaceError, OperationalError}),
)
def draw_status_report(context, report_id: int) -> str:
    with attempt_of(context.job.id) as mine:
        report = StatusReport.objects.defer("content").get(pk=report_id)
        if not mine or report.is_finished:  # another attempt draws it, or one finished before the queue heard
            return report.status
        report.start_attempt(context.job.attempts)
        return draw(report)


def draw(report: StatusReport) -> str:
    """One attempt at the file: drawn in the report's language, stored with its outcome in one save."""
    report.status = StatusReport.Status.DRAWING
    report.save(update_fields=["attempt", "worker", "status"])
    try:
        with translation.override(report.language):
            drawn = reports.build(report.fmt, as_of=report.as_of)
    except (InterfaceError, OperationalError):
        raise  # the database went away: the queue tries again
    except Exception as error:  # the record must say what happened; the traceback goes to the log
        logger.exception("status report #%s failed", report.pk)
        report.status = StatusReport.Status.FAILED
        with translation.override(report.language):
            report.error = _("The report could not be drawn: %(error)s") % {"error": error}
    else:
        report.status, report.content, report.filename = StatusReport.Status.READY, drawn.content, drawn.filename
    report.finished_at = timezone.now()
    report.save()
    return report.status


@receiver(job_interrupted, sender=draw_status_report)
def report_interrupted(sender, job, will_retry, **kwargs):
    report = StatusReport.objects.defer("content").filter(pk=job.task_kwargs.get("report_id")).first()
    if report is None or report.is_finished:
        return
    report.record_interruption(will_retry)
    if will_retry:
        report.status = StatusReport.Status.QUEUED
    else:
        report.status, report.finished_at = StatusReport.Status.FAILED, timezone.now()
        with translation.override(report.language):
            report.error = _("Its worker stopped during every attempt.")
    report.save(update_fields=["interruptions", "status", "finished_at", "error"])


def half_year_end_before(day: dt.date) -> dt.date:
    """The last 30 June or 31 December before `day`."""
    june = dt.date(day.year, 6, 30)
    return june if june < day else dt.date(day.year - 1, 12, 31)


@app.periodic(cron=HALF_YEAR_CRON, periodic_id="half_year_status_report")
@app.task(
    name="progress.prepare_half_year_report",
    queue="reports",
    queueing_lock="half_year_status_report",
    retry=RetryStrategy(max_attempts=REPORT_RETRIES, wait=60, retry_exceptions={InterfaceError, OperationalError}),
)
def prepare_half_year_report(timestamp: int) -> list[int]:
    """Both files of the report, in the council's language, as of the half year that just ended."""
    day = timezone.localdate(dt.datetime.fromtimestamp(timestamp, dt.UTC))
    as_of = half_year_end_before(day)
    with transaction.atomic():  # both or neither, each with its job
        return [
            queue_report(fmt, language=reports.COUNCIL_LANGUAGE, as_of=as_of, scheduled=True).pk
            for fmt in reports.CONTENT_TYPES
        ]


@app.periodic(cron="40 3 * * *", periodic_id="prune_old_status_reports")
@app.task(name="progress.prune_old_status_reports", queue="reports", queueing_lock="prune_old_status_reports")
def prune_old_status_reports(timestamp: int) -> int:
    """Reports asked for on request are deleted after KEEP_REQUESTED_DAYS; the half-yearly ones are kept."""
    before = timezone.now() - dt.timedelta(days=KEEP_REQUESTED_DAYS)
    return StatusReport.objects.filter(scheduled=False, requested_at__lt=before).delete()[0]
