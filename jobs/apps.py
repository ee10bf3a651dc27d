from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Background work on the job queue (Procrastinate on PostgreSQL): what every app's tasks share.

    It imports none of our apps. Each app declares its own jobs in its `tasks.py` (found by Procrastinate's
    autodiscovery) and records their outcome on its own records; this app recovers the jobs of a worker
    that died and tells their owners (signals.job_interrupted), and sends e-mail.
    """

    name = "jobs"
    verbose_name = _("Background jobs")
    default_auto_field = "django.db.models.BigAutoField"
