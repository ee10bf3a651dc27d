"""The queue's own jobs: recovering the work of a worker that died, sending e-mail, pruning old jobs.

A worker killed in the middle of a job (SIGKILL, out of memory, a lost machine) cannot say so: its
job stays "doing". Every worker beats a heartbeat into PostgreSQL, and every attempt holds an
advisory lock in its database session (jobs/queue.py attempt_of). This periodic job finds the jobs of
workers whose heartbeat stopped, and takes over only those whose lock is free: the worker is gone,
not merely stopping gracefully or starved of CPU. It tells the job's owner (signals.job_interrupted)
and retries the job while its task's retry strategy allows, or marks it failed. What the dead worker
had written in its transaction was rolled back by PostgreSQL when its connection dropped.
"""

import logging
import smtplib

from asgiref.sync import sync_to_async
from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.jobs import Status

from .models import QueuedWork
from .queue import ATTEMPT_LOCK, attempt_of
from .signals import job_interrupted

logger = logging.getLogger(__name__)

QUEUE = "jobs"  # the queue's own light work: recovery and mail (README: a worker of its own in production)
RECOVERY_PRIORITY = 100  # before any queued work: a stalled import should not wait behind others
KEEP_FAILED_JOBS_DAYS = 7  # then the failed jobs (a reset mail's link among their arguments) are deleted


def attempts_allowed(task) -> int:
    """How many times a job may be retried after it failed or its worker died (its task's strategy)."""
    strategy = task.retry_strategy if task else None
    return getattr(strategy, "max_attempts", 0) or 0


async def worker_is_gone(job) -> bool:
    """Nobody holds the job's attempt lock: the session that held it ended (jobs/queue.py attempt_of)."""
    row = await app.connector.execute_query_one_async(
        "SELECT pg_try_advisory_xact_lock(%(cls)s, %(job)s::int) AS free", cls=ATTEMPT_LOCK, job=job.id
    )
    return row["free"]


async def take_over(job) -> None:
    task = app.tasks.get(job.task_name)
    will_retry = job.attempts < attempts_allowed(task)
    logger.warning("job %s (%s) lost its worker; %s", job.id, job.task_name, "retrying" if will_retry else "failed")
    if task is not None:
        await sync_to_async(job_interrupted.send)(sender=task, job=job, will_retry=will_retry)
    if will_retry:
        await app.job_manager.retry_job(job)
    else:
        await app.job_manager.finish_job(job, Status.FAILED, delete_job=False)


@app.periodic(cron=settings.JOB_RECOVERY_CRON, periodic_id="recover_stalled_jobs")
@app.task(
    name="jobs.recover_stalled_jobs",
    queue=QUEUE,
    lock="recover_stalled_jobs",  # one recovery at a time, whichever worker runs it
    queueing_lock="recover_stalled_jobs",
    priority=RECOVERY_PRIORITY,
)
async def recover_stalled_jobs(timestamp: int) -> int:
    taken = 0
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.JOB_STALLED_SECONDS)
    for job in stalled:
        if job.task_name == "jobs.recover_stalled_jobs" or not await worker_is_gone(job):
            continue  # a recovery's own job, or a worker that lives on without its heartbeat
        try:
            await take_over(job)
            taken += 1
        except Exception:  # one job's trouble must not stop the recovery of the others
            logger.exception("recovering job %s failed", job.id)
    await sync_to_async(settle_lost_records)()
    return taken


def settle_lost_records() -> None:
    """Records whose job ended (or an operator deleted it) unfinished are marked lost, so no list shows them
    waiting for ever (the pages check the one they show; this catches those nobody opens)."""
    for model in apps.get_models():
        if issubclass(model, QueuedWork):
            waiting = model.objects.exclude(status__in=model.FINISHED).filter(job_id__isnull=False).defer(*model.BULKY)
            for record in waiting:
                if record.lost_by_the_queue():
                    record.mark_lost()


@app.task(
    name="jobs.send_email",
    queue=QUEUE,
    pass_context=True,
    # a mail server that is down or refuses for a while: tried 11 times, waiting 2, 4, ... 1024 s (about 34 min)
    retry=RetryStrategy(max_attempts=10, exponential_wait=2, retry_exceptions={smtplib.SMTPException, OSError}),
)
def send_email(context, subject: str, body: str, to: list[str], html: str = "", from_email: str = "") -> None:
    with attempt_of(context.job.id) as mine:
        if not mine:
            return  # another attempt is sending it
        message = EmailMultiAlternatives(subject, body, from_email or settings.DEFAULT_FROM_EMAIL, to)
        if html:
            message.attach_alternative(html, "text/html")
        message.send()


@app.periodic(cron="30 3 * * *", periodic_id="prune_old_jobs")
@app.task(name="jobs.prune_old_jobs", queue=QUEUE, queueing_lock="prune_old_jobs")
async def prune_old_jobs(timestamp: int) -> None:
    """Finished jobs leave the queue's tables; their outcome lives on their own records."""
    await app.job_manager.delete_old_jobs(
        nb_hours=24 * KEEP_FAILED_JOBS_DAYS, include_failed=True, include_cancelled=True, include_aborted=True
    )
