"""The upload page over real HTTP and in Chromium; and an import killed halfway."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from imports.models import ImportRun
from registry.models import EnergySite

from .browser import ARTIFACTS, chromium, watch_console
from .import_files import many_solar_sites, write_csv
from .jobs import WorkerProcess, database_url_of_tests, run_queued_jobs

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "import_progress"])

ROWS = [
    ["V1", "Mølle ved Vadum", "vind", 9.86, 57.12],
    ["V2", "Mølle ved Nibe", "vind", 9.64, 56.98],
    ["V3", "Mølle i Sverige", "vind", 13.0, 55.6],
]


@pytest.fixture
def import_settings(settings, tmp_path):
    settings.IMPORT_ROOT = tmp_path / "imports"
    return settings


def wait_until_finished(client, pk, seconds=60) -> dict:
    run_queued_jobs()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(f"/imports/{pk}/status.json").json()
        if status["finished"]:
            return status
        time.sleep(0.2)
    raise AssertionError(f"import #{pk} did not finish")


def upload(client, path, kind="sites", **fields):
    with open(path, "rb") as handle:
        return client.post("/imports/", {"file": handle, "kind": kind, **fields})


def test_only_editors_and_administrators_may_import(client_for, client, tmp_path, import_settings):
    anonymous = Client()
    assert anonymous.get("/imports/").status_code == 302
    assert client_for("viewer").get("/imports/").status_code == 403
    path = write_csv(tmp_path / "v.csv", ["id", "navn", "type", "lon", "lat"], ROWS[:1])
    assert upload(client, path).status_code == 403 and not ImportRun.objects.exists()
    editor = client_for("editor")
    assert editor.get("/imports/").status_code == 200


def test_check_report_then_import_the_valid_rows(client_for, tmp_path, import_settings):
    editor = client_for("editor")
    path = write_csv(tmp_path / "moeller.csv", ["id", "navn", "type", "lon", "lat"], ROWS)
    response = upload(editor, path)
    assert response.status_code == 302
    checked = ImportRun.objects.get()
    wait_until_finished(editor, checked.pk)
    checked.refresh_from_db()
    assert (checked.status, checked.dry_run, checked.created_count, checked.rejected_count) == ("checked", True, 2, 1)
    assert EnergySite.objects.count() == 0
    page = editor.get(f"/imports/{checked.pk}/").content.decode()
    assert "outside Denmark" in page and "Import the 2 valid rows only" in page
    report = editor.get(f"/imports/{checked.pk}/rejected-rows.csv")
    text = report.content.decode("utf-8")
    assert text.startswith("\ufeffrow,column in the file,field,value,reason")
    assert text.splitlines()[1].startswith('4,"lon, lat",geometry,,"The geometry lies outside Denmark')
    # The stored upload is never served back: it lives outside MEDIA_ROOT under a name of our own.
    assert not str(Path(settings.IMPORT_ROOT)).startswith(str(settings.MEDIA_ROOT))
    assert (Path(settings.IMPORT_ROOT) / checked.stored_file).name == "upload.csv"

    response = editor.post(f"/imports/{checked.pk}/apply", {"valid_rows_only": "1"})
    applied = ImportRun.objects.latest("pk")
    assert response.url == f"/imports/{applied.pk}/"
    wait_until_finished(editor, applied.pk)
    applied.refresh_from_db()
    assert (applied.status, applied.created_count, applied.valid_rows_only) == ("applied", 2, True)
    assert sorted(EnergySite.objects.values_list("external_id", flat=True)) == ["V1", "V2"]
    assert EnergySite.history.filter(history_user__username="test-editor").count() == 2


def test_hostile_uploads_get_a_clear_message(client_for, tmp_path, import_settings):
    editor = client_for("editor")
    fake = tmp_path / "sites.gpkg"
    fake.write_text("id,name\n1,x\n")
    response = upload(editor, fake)
    run = ImportRun.objects.get()
    wait_until_finished(editor, run.pk)
    assert "its content is CSV" in editor.get(response.url).content.decode()

    import_settings.IMPORT_MAX_MB = 1
    big = write_csv(tmp_path / "big.csv", ["id", "name"], [[i, "x" * 100] for i in range(12_000)])
    response = upload(editor, big)
    assert response.status_code == 200 and "larger than the limit of 1 MB" in response.content.decode()
    assert ImportRun.objects.count() == 1 and not any(Path(settings.IMPORT_ROOT).glob("*/upload.csv"))


def test_the_upload_page_in_a_browser_shows_progress_and_the_report(live_server, role_users, tmp_path, import_settings):
    path = write_csv(tmp_path / "moeller.csv", ["id", "navn", "type", "lon", "lat"], ROWS)
    session = Client()
    session.force_login(role_users["editor"])
    with WorkerProcess("import-worker", tmp_path, IMPORT_ROOT=str(settings.IMPORT_ROOT)), chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        errors = watch_console(page)
        page.goto(live_server.url + "/imports/")
        page.set_input_files("input[name=file]", str(path))
        page.select_option("select[name=kind]", "sites")
        page.click("#check-file")
        page.wait_for_selector("#import-status", timeout=30_000)
        assert "Checked, nothing written" in page.inner_text("#import-status")
        assert page.inner_text("#rejected-count") == "1"
        assert "outside Denmark" in page.inner_text("#rejections")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "import-report.png"), full_page=True)
        page.click("#apply-valid")
        page.wait_for_selector("#import-status", timeout=30_000)
        assert page.inner_text("#import-status").startswith("Imported")
        assert page.inner_text("#created-count") == "2"
        assert errors == []
    assert EnergySite.objects.count() == 2


def test_an_import_killed_halfway_leaves_nothing_behind(tmp_path):
    count = 60_000
    path = many_solar_sites(tmp_path / "mange.gpkg", count, "K", seed=1)
    from .test_imports import SITE_TABLES, _foreign_keys, _index_oids

    before = {table: (_index_oids(table), _foreign_keys(table)) for table in SITE_TABLES}
    url = database_url_of_tests()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import", str(path), "--kind", "sites"],
        cwd=Path(__file__).resolve().parents[1],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
    )
    for line in process.stderr:
        if line.startswith("Writing"):
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(0.5)
    run = ImportRun.objects.get()
    assert run.status == "running" and run.finished_at is None
    assert EnergySite.objects.count() == 0 and EnergySite.history.count() == 0
    # 60,000 new sites take the first-load path: its dropped indexes and keys come back with the rollback
    assert {table: (_index_oids(table), _foreign_keys(table)) for table in SITE_TABLES} == before
