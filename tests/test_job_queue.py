"""The job queue's own promises: mail retried until the server answers, a dead worker's job retried or failed
with its reason, and the half-yearly report prepared by itself when the half year ends.

The queue is real (Procrastinate on the test database); the workers are real too, in this process
(tests/jobs.py run_queued_jobs) or as `manage.py procrastinate worker` under faketime. Transactional
tests: a worker's connections see only what was committed.
"""

import datetime as dt
import os
import socket
import subprocess
import time
from email import message_from_bytes

import croniter
import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone, translation
from procrastinate.contrib.django.models import ProcrastinateJob

from imports.service import ImportOptions, start_run
from imports.tasks import IMPORT_RETRIES, queue_import
from jobs.mail import queue_mail
from progress import tasks as report_tasks
from progress.models import StatusReport

from .import_files import write_csv
from .jobs import WorkerProcess, recover_stalled_now, run_queued_jobs

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_mail_waits_in_the_queue_while_the_mail_server_is_down_and_leaves_when_it_answers(settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    job_id = queue_mail("Påmindelse", "Husk at indberette 2026.", ["leder@aalborg.example"])
    run_queued_jobs()  # nobody listens on the port: the attempt fails and is put back, for later
    job = ProcrastinateJob.objects.get(pk=job_id)
    assert (job.status, job.attempts) == ("todo", 1) and job.scheduled_at > timezone.now()
    mailbox = Mailbox()
    server = Controller(mailbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        ProcrastinateJob.objects.filter(pk=job_id).update(scheduled_at=timezone.now())  # "later" is now
        run_queued_jobs()
    finally:
        server.stop()
    (mail,) = mailbox.messages
    assert mail["To"] == "leder@aalborg.example"
    assert "Husk at indberette 2026." in mail.get_payload(decode=True).decode()
    assert not ProcrastinateJob.objects.filter(pk=job_id).exists()  # done: only its outcome is kept


def strand(job_id: int) -> None:
    """Leave a job as a worker killed in the middle of it does: "doing", by a worker whose heartbeat stopped."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (NOW() - INTERVAL '10 minutes') RETURNING id"
        )
        worker = cursor.fetchone()[0]
        cursor.execute("UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s", [worker, job_id])


def test_an_import_whose_workers_keep_dying_is_tried_again_then_failed_with_the_reason(settings, tmp_path):
    settings.IMPORT_ROOT = tmp_path
    (tmp_path / "kept").mkdir()  # where the upload page keeps a file (imports/uploads.py)
    path = write_csv(
        tmp_path / "kept" / "upload.csv", ["id", "navn", "type", "lon", "lat"], [["V1", "M", "vind", 9.8, 57]]
    )
    run = start_run(path, "v.csv", ImportOptions(kind="sites", dry_run=True), stored_file="kept/upload.csv")
    queue_import(run)
    for attempt in range(IMPORT_RETRIES):
        strand(run.job_id)
        recover_stalled_now()
        run.refresh_from_db()
        assert run.status == "queued" and f"It is tried again (attempt {attempt + 2})" in run.interruption_note
        assert ProcrastinateJob.objects.get(pk=run.job_id).status == "todo"
    strand(run.job_id)
    recover_stalled_now()
    run.refresh_from_db()
    assert (run.status, run.finished_at is not None) == ("failed", True)
    assert run.error == "Its worker stopped during every attempt; nothing was written."
    assert (
        f"{IMPORT_RETRIES + 1} attempts stopped" in run.interruption_note and "tried again" not in run.interruption_note
    )
    assert ProcrastinateJob.objects.get(pk=run.job_id).status == "failed"
    assert not path.exists() and run.stored_file == ""  # it can never be applied: its upload is gone


def test_a_report_whose_worker_died_is_drawn_by_the_next_worker(client_for):
    viewer = client_for("viewer")
    asked = viewer.post("/progress/reports/", {"format": "xlsx"})
    report = StatusReport.objects.get()
    strand(report.job_id)
    recover_stalled_now()
    status = viewer.get(f"/progress/reports/{report.pk}/status.json").json()
    assert status["status"] == "queued" and "It is tried again (attempt 2)" in status["note"]
    run_queued_jobs()
    page = viewer.get(asked["Location"]).content.decode()
    assert 'id="report-file"' in page and "1 attempt stopped because its worker stopped" in page
    report.refresh_from_db()
    assert report.status == "ready" and bytes(report.content)[:2] == b"PK" and report.attempt == 2


def test_the_half_year_schedule_falls_just_after_30_june_and_31_december_in_copenhagen():
    schedule = croniter.croniter(report_tasks.HALF_YEAR_CRON, dt.datetime(2026, 12, 4, tzinfo=dt.UTC))
    runs = [timezone.localtime(schedule.get_next(dt.datetime)) for _ in range(3)]
    assert [(r.date(), r.hour) for r in runs] == [
        (dt.date(2027, 1, 1), 1),
        (dt.date(2027, 7, 1), 2),
        (dt.date(2028, 1, 1), 1),
    ]
    assert [report_tasks.half_year_end_before(r.date()) for r in runs] == [
        dt.date(2026, 12, 31),
        dt.date(2027, 6, 30),
        dt.date(2027, 12, 31),
    ]


def test_a_worker_prepares_the_half_yearly_report_by_itself_when_the_half_year_ends(tmp_path):
    """Two workers whose clocks read a few seconds before 1 July 2026 00:10 UTC (faketime; their zone is
    Copenhagen's, where it is 02:09), left alone: the report is prepared once, by one of them."""
    env = {"FAKETIME": "@2026-07-01 02:09:52", "TZ": "Europe/Copenhagen", "LD_PRELOAD": faketime_library()}
    with WorkerProcess("half-year-1", tmp_path, **env) as first, WorkerProcess("half-year-2", tmp_path, **env):
        deadline = time.monotonic() + 120
        while StatusReport.objects.filter(status="ready").count() < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)  # time for a second preparation, if one were coming
    reports = {r.fmt: r for r in StatusReport.objects.all()}
    assert StatusReport.objects.count() == 2 and set(reports) == {"xlsx", "pdf"}, first.log()
    for report in reports.values():
        assert (report.status, report.scheduled, report.as_of, report.language) == (
            "ready",
            True,
            dt.date(2026, 6, 30),
            "da",
        )
        assert report.requested_by is None and report.filename.endswith(f"2026-06-30.{report.fmt}")
    pdf = tmp_path / reports["pdf"].filename
    pdf.write_bytes(bytes(reports["pdf"].content))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Statusrapport" in text and "Tal pr. 30. juni 2026" in text  # as of the half year's last day


def test_a_record_whose_job_an_operator_deleted_is_marked_lost_not_left_waiting(settings, tmp_path, client_for):
    settings.IMPORT_ROOT = tmp_path
    (tmp_path / "kept").mkdir()
    path = write_csv(
        tmp_path / "kept" / "upload.csv", ["id", "navn", "type", "lon", "lat"], [["V1", "M", "vind", 9.8, 57]]
    )
    with translation.override("da"):
        run = start_run(path, "v.csv", ImportOptions(kind="sites", dry_run=True), stored_file="kept/upload.csv")
    queue_import(run)
    client_for("viewer").post("/progress/reports/", {"format": "pdf"})
    report = StatusReport.objects.get()
    ProcrastinateJob.objects.filter(pk__in=[run.job_id, report.job_id]).delete()  # as from the queue's admin
    recover_stalled_now()
    run.refresh_from_db()
    report.refresh_from_db()
    assert (run.status, run.finished_at is not None, run.stored_file) == ("interrupted", True, "")
    assert run.error.startswith("Dens job forlod køen")  # in the language of who uploaded it
    assert (report.status, report.error) == ("failed", "The job drawing it was lost; ask again.")


def faketime_library() -> str:
    found = [  # the library for programs with threads, as a worker is
        os.path.join(folder, "libfaketimeMT.so.1")
        for folder in ("/usr/lib/x86_64-linux-gnu/faketime", "/usr/lib/aarch64-linux-gnu/faketime")
        if os.path.exists(os.path.join(folder, "libfaketimeMT.so.1"))
    ]
    assert found, "faketime is a system package of `make setup`"
    return found[0]
