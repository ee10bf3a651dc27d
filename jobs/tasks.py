"""The queue's own jobs: recovering the work of a worker that died, and sending e-mail.

A worker killed in the middle of a job (SIGKILL, out of memory, a lost machine) cannot say so: its
job stays "doing". Every worker beats a heartbeat into PostgreSQL; this periodic job finds the jobs
of workers whose heartbeat stopped, tells the job's owner (signals.job_interrupted) and retries the
job while its task's retry strategy allows, or marks it failed. What the dead worker had written in
its transaction was rolled back by PostgreSQL when its connection dropped.
"""

import logging
import smtplib

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.jobs import Status

from .signals import job_interrupted

logger = logging.getLogger(__name__)

RECOVERY_PRIORITY = 100  # before any queued work: a stalled import should not wait behind others


def attempts_allowed(task) -> int:
    """How many times a job may be retried after it failed or its worker died (its task's strategy)."""
    strategy = task.retry_strategy if task else None
    return getattr(strategy, "max_attempts", 0) or 0


@app.periodic(cron=settings.JOB_RECOVERY_CRON, periodic_id="recover_stalled_jobs")
@app.task(name="jobs.recover_stalled_jobs", queueing_lock="recover_stalled_jobs", priority=RECOVERY_PRIORITY)
async def recover_stalled_jobs(timestamp: int) -> int:
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.JOB_STALLED_SECONDS)
    for job in stalled:
        if job.task_name == "jobs.recover_stalled_jobs":
            await app.job_manager.finish_job(job, Status.FAILED, delete_job=False)
            continue
        task = app.tasks.get(job.task_name)
        will_retry = job.attempts < attempts_allowed(task)
        logger.warning("job %s (%s) lost its worker; %s", job.id, job.task_name, "retrying" if will_retry else "failed")
        if task is not None:
            await sync_to_async(job_interrupted.send)(sender=task, job=job, will_retry=will_retry)
        if will_retry:
            await app.job_manager.retry_job(job)
        else:
            await app.job_manager.finish_job(job, Status.FAILED, delete_job=False)
    return len(stalled)


@app.task(
    name="jobs.send_email",
    queue="mail",
    # a mail server that is down or refuses for a while: try again, later each time (about 1 h in all)
    retry=RetryStrategy(max_attempts=8, exponential_wait=2, retry_exceptions={smtplib.SMTPException, OSError}),
)
def send_email(subject: str, body: str, to: list[str], html: str = "", from_email: str = "") -> None:
    message = EmailMultiAlternatives(subject, body, from_email or settings.DEFAULT_FROM_EMAIL, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
