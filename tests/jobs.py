"""A real worker of the job queue, run in the test's process until no job is left.

Where a deployment runs `manage.py procrastinate worker`, a test that queues work runs this:
the same Procrastinate worker on the same PostgreSQL queue, only in-process and without waiting
for new jobs. The worker has its own connections, so such tests commit (transactional tests).
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from procrastinate.contrib.django import app

ROOT = Path(__file__).resolve().parents[1]


def run_queued_jobs(queues: list[str] | None = None) -> None:
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False, queues=queues)


def database_url_of_tests() -> str:
    """The test database as a DATABASE_URL, for the processes a test starts (workers, servers)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgis://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


# a dead worker is noticed within seconds, not half a minute, in the tests that kill one
FAST_RECOVERY = {"JOB_HEARTBEAT_SECONDS": "0.5", "JOB_STALLED_SECONDS": "2", "JOB_RECOVERY_CRON": "* * * * * */1"}


class WorkerProcess:
    """`manage.py procrastinate worker` on the test database, as `make run` and production start it."""

    def __init__(self, name: str, log_dir: Path, **env: str):
        self.name, self.log_path = name, log_dir / f"{name}.log"
        self.env = {**os.environ, "DATABASE_URL": database_url_of_tests(), "DATABASE_CONN_MAX_AGE": "0", **env}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "WorkerProcess":
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker", "--name", self.name],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
        )
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # a graceful stop: the job in hand is finished first
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def recover_stalled_now() -> int:
    """What a worker's periodic recovery does (jobs/tasks.py), once, now, as a worker runs it."""
    import asyncio

    from asgiref.sync import sync_to_async
    from django.db import connections

    from jobs.tasks import recover_stalled_jobs

    async def recover():
        async with app.open_async():
            try:
                return await recover_stalled_jobs.func(timestamp=0)
            finally:  # what the worker's task middleware does after a job: the signal's thread lets go
                await sync_to_async(connections.close_all)()

    with app.replace_connector(app.connector.get_worker_connector()):
        return asyncio.run(recover())
