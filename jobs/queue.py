"""Putting work on the queue: one way for every app, so a job is part of the transaction that asks for it."""

from procrastinate.contrib.django import app


def defer(task_name: str, **arguments) -> int:
    """Queue `task_name` and return the job's id.

    The job row is written through Django's connection, inside the caller's transaction: if that
    rolls back, the job was never asked for, and a worker is woken (NOTIFY) only when it commits.
    """
    return app.configure_task(task_name).defer(**arguments)


def job_status(job_id: int | None) -> str | None:
    """The queue's word for a job ("todo", "doing", "succeeded", "failed", ...), or None if it is gone."""
    if job_id is None:
        return None
    from procrastinate.contrib.django.models import ProcrastinateJob

    return ProcrastinateJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
