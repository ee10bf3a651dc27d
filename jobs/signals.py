"""What the owners of a job hear when its worker died in the middle of it (jobs/tasks.py)."""

from django.dispatch import Signal

# sent with sender=<the Task, as @app.task made it>, job=<procrastinate Job>, will_retry=<bool>, before the job
# is retried or marked failed; a receiver records it on the job's own record (an import run, a report).
job_interrupted = Signal()
