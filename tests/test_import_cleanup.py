"""A refused or failed upload leaves nothing on disk; a checked one keeps only the file it may still import."""

import tempfile
import zipfile
from pathlib import Path

import pytest
from pyproj import CRS

from imports.models import ImportRun

from .import_files import write_csv
from .test_import_pages import upload, wait_until_finished
from .test_imports import run_import

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "import_progress"])

XXE_KML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE kml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&secret;</name>'
    "<Point><coordinates>9.9,57.0</coordinates></Point></Placemark></Document></kml>\n"
)


def hostile_files(folder: Path) -> dict[str, Path]:
    """A zip bomb, a KML reaching for the server's files, bytes that are no format, a Shapefile that is garbage."""
    folder.mkdir()
    bomb = folder / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.shp", bytes(20 * 1024 * 1024))
        archive.writestr("big.prj", "x")
    xxe = folder / "xxe.kml"
    xxe.write_text(XXE_KML, encoding="utf-8")
    garbage = folder / "garbage.csv"
    garbage.write_bytes(bytes(range(256)) * 8)
    broken = folder / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:  # every part there, so it is unpacked before GDAL says no
        for suffix in (".shp", ".shx", ".dbf"):
            archive.writestr(f"parker{suffix}", b"not a shapefile" * 10)
        archive.writestr("parker.prj", CRS.from_epsg(25832).to_wkt("WKT1_ESRI"))
    return {"zip bomb": bomb, "XXE": xxe, "binary": garbage, "broken Shapefile": broken}


@pytest.fixture
def scratch(settings, tmp_path, monkeypatch):
    """IMPORT_ROOT and the temporary folder of this test alone, so whatever stays behind can be seen."""
    settings.IMPORT_ROOT = tmp_path / "imports"
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 5
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return tmp_path


def left_behind(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")) if folder.exists() else []


def test_refused_uploads_through_the_page_leave_nothing_under_import_root(client_for, scratch, settings):
    editor = client_for("editor")
    for what, path in hostile_files(scratch / "files").items():
        response = upload(editor, path)
        run = ImportRun.objects.latest("pk")
        assert response.status_code == 302, what
        assert wait_until_finished(editor, run.pk)["status"] == "refused", what
        run.refresh_from_db()
        assert run.stored_file == "", what
        assert left_behind(Path(settings.IMPORT_ROOT)) == [], what
    assert left_behind(scratch / "tmp") == []
    assert "DOCTYPE" in ImportRun.objects.get(file_name="xxe.kml").error


def test_refused_files_through_the_command_leave_nothing_behind(scratch, settings):
    for what, path in hostile_files(scratch / "files").items():
        run = run_import(path, "--kind", "sites", expect_ok=False)
        assert run.status == "refused", what
    assert left_behind(Path(settings.IMPORT_ROOT)) == [] and left_behind(scratch / "tmp") == []


def test_a_checked_upload_keeps_its_file_for_the_import_and_no_copy_of_its_mapping(client_for, scratch, settings):
    editor = client_for("editor")
    path = write_csv(
        scratch / "moeller.csv", ["id", "navn", "type", "lon", "lat"], [["V1", "Mølle", "vind", 9.86, 57.12]]
    )
    mapping = scratch / "mapping.yaml"
    mapping.write_text("defaults:\n  planning_status: operating\n", encoding="utf-8")
    with open(path, "rb") as data, open(mapping, "rb") as columns:
        editor.post("/imports/", {"file": data, "kind": "sites", "mapping": columns})
    checked = ImportRun.objects.get()
    assert wait_until_finished(editor, checked.pk)["status"] == "checked"
    checked.refresh_from_db()
    assert left_behind(Path(settings.IMPORT_ROOT)) == [str(Path(checked.stored_file).parent), checked.stored_file]
    assert checked.options["mapping"] == {"defaults": {"planning_status": "operating"}}


def test_a_failed_import_of_a_checked_upload_keeps_the_file_the_check_may_still_import(client_for, scratch, settings):
    editor = client_for("editor")
    path = write_csv(
        scratch / "moeller.csv", ["id", "navn", "type", "lon", "lat"], [["V1", "Mølle", "vind", 9.86, 57.12]]
    )
    upload(editor, path)
    checked = ImportRun.objects.get()
    wait_until_finished(editor, checked.pk)
    checked.refresh_from_db()
    settings.IMPORT_MAX_MB = 0  # the import of the checked file is now refused: the file is over the limit
    editor.post(f"/imports/{checked.pk}/apply")
    refused = ImportRun.objects.latest("pk")
    assert wait_until_finished(editor, refused.pk)["status"] == "refused"
    assert (Path(settings.IMPORT_ROOT) / checked.stored_file).is_file()


def test_an_abandoned_run_gives_up_its_upload(client_for, scratch, settings):
    """A run whose server restarted is marked interrupted when next looked at, and its upload is deleted."""
    from datetime import timedelta

    from django.utils import timezone

    folder = Path(settings.IMPORT_ROOT) / "abandoned"
    folder.mkdir(parents=True)
    (folder / "upload.csv").write_text("navn;lon;lat\n", encoding="utf-8")
    run = ImportRun.objects.create(kind="sites", file_name="moeller.csv", stored_file="abandoned/upload.csv")
    ImportRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(hours=1), created_at=timezone.now() - timedelta(hours=1)
    )
    assert client_for("editor").get(f"/imports/{run.pk}/").status_code == 200
    run.refresh_from_db()
    assert (run.status, run.stored_file) == ("interrupted", "")
    assert left_behind(Path(settings.IMPORT_ROOT)) == []
