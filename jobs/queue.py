"""Putting work on the queue, and holding a job while it is done: one way for every app."""

from contextlib import contextmanager

from django.db import DatabaseError, connection
from procrastinate.contrib.django import app
from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.manager import JobManager

# the first key of the advisory lock an attempt holds (pg_advisory_lock(int, int)); the second is the job's id
ATTEMPT_LOCK = 20_851


def defer(task_name: str, **arguments) -> int:
    """Queue `task_name` and return the job's id.

    The job row is written through Django's connection, inside the caller's transaction, also in a
    worker (whose Procrastinate app writes through a pool of its own): if the transaction rolls back,
    the job was never asked for, and a worker is woken (NOTIFY) only when it commits.
    """
    job = app.configure_task(task_name).make_new_job(**arguments)
    return JobManager(DjangoConnector()).defer_job(job).id


def job_status(job_id: int | None) -> str | None:
    """The queue's word for a job ("todo", "doing", "succeeded", "failed", ...), or None if it is gone."""
    if job_id is None:
        return None
    from procrastinate.contrib.django.models import ProcrastinateJob

    return ProcrastinateJob.objects.filter(pk=job_id).values_list("status", flat=True).first()


@contextmanager
def attempt_of(job_id: int):
    """Hold the job's advisory lock while an attempt runs; yields False if another attempt holds it.

    The lock lives in the worker's database session: PostgreSQL frees it when the worker dies (its
    connection drops), never while the worker lives, even if its heartbeat stopped (a graceful stop
    waits for the job in hand). The recovery (jobs/tasks.py) takes over only jobs whose lock is free.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s::int)", [ATTEMPT_LOCK, job_id])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s::int)", [ATTEMPT_LOCK, job_id])
            except DatabaseError:  # the connection broke: closing it frees the lock
                connection.close()
