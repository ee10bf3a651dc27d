"""The half-yearly status report: one button and one command, opened by the real LibreOffice and poppler."""

import csv
import datetime as dt
import io
import os
import subprocess
import time

import openpyxl
import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from partnerships.models import Measure
from progress import reports, tasks
from progress.models import StatusReport


def libreoffice_csv(xlsx_path, out_dir) -> dict[str, list[list[str]]]:
    """Every sheet of the workbook as LibreOffice computes it (formulas evaluated), by sheet name."""
    profile = out_dir / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(out_dir),
            str(xlsx_path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sheets = {}
    for path in out_dir.glob(f"{xlsx_path.stem}-*.csv"):
        with path.open(encoding="utf-8") as fh:
            sheets[path.stem.removeprefix(xlsx_path.stem + "-")] = list(csv.reader(fh))
    return sheets


def request_report(client, fmt, as_of="", **headers):
    """The user's way to a report: ask on the page, let a worker draw it, download it from its page.

    A worker draws it with progress.tasks.draw, called here directly: the demo data of these tests lies in
    an open transaction no worker's connection can see (the queue itself: test_job_queue*.py)."""
    asked = client.post("/progress/reports/", {"format": fmt, "as_of": as_of}, **headers)
    assert asked.status_code == 302, asked.content.decode()
    report = StatusReport.objects.get(pk=int(asked["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert report.status == "queued" and report.job_id
    tasks.draw(report)
    page = client.get(asked["Location"], **headers)
    assert page.status_code == 200 and 'id="report-file"' in page.content.decode(), page.content.decode()
    return client.get(f"/progress/reports/{report.pk}/file", **headers)


@pytest.fixture
def viewer(client_for, demo_db):
    return client_for("viewer")


def test_the_excel_report_opens_in_libreoffice_with_the_dashboard_numbers(viewer, tmp_path):
    api = viewer.get("/api/progress/").json()
    response = request_report(viewer, "xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    path = tmp_path / "report.xlsx"
    path.write_bytes(response.content)
    sheets = libreoffice_csv(path, tmp_path)
    assert {"Summary", "Industry", "Agriculture", "Partnerships signed", "Realised", "International", "Funding"} <= set(
        sheets
    )

    summary = {row[0]: row for row in sheets["Summary"] if row}
    industry = summary["Industry: reduction potential by 2030 (t CO2e/yr)"]
    assert [float(v) for v in industry[1:5]] == pytest.approx(
        [
            api["industry"]["target_tonnes"],
            api["industry"]["committed_tonnes"],
            api["industry"]["pipeline_tonnes"],
            api["industry"]["realised_tonnes"],
        ]
    )
    agriculture = summary["Agriculture: reduction potential by 2030 (t CO2e/yr)"]
    assert float(agriculture[2]) == pytest.approx(api["agriculture"]["committed_tonnes"])
    assert summary["As of"][1] == api["as_of"]

    # the rows behind each figure add up (LibreOffice evaluates our SUM formulas) to the figure
    totals = [row for row in sheets["Industry"] if row and row[0] == "Total of the rows"]
    assert [float(row[3]) for row in totals] == pytest.approx(
        [api["industry"]["committed_tonnes"], api["industry"]["pipeline_tonnes"]]
    )
    measure_rows = [row for row in sheets["Agriculture"] if len(row) > 2 and row[2] in Measure.MeasureType.values]
    assert len(measure_rows) == api["agriculture"]["measures_committed"] + api["agriculture"]["measures_pipeline"]
    funding_total = [row for row in sheets["Funding"] if row and row[0] == "Total of the rows"][0]
    assert float(funding_total[4]) == sum(api["external_funding"]["by_year"].values())


def test_the_pdf_report_shows_the_figures_and_charts(viewer, tmp_path):
    api = viewer.get("/api/progress/").json()
    response = request_report(viewer, "pdf")
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert f"{api['industry']['committed_tonnes']:,.0f}" in text
    assert f"{api['agriculture']['pipeline_tonnes']:,.0f}" in text
    assert "Partnerships signed per year" in text
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) - 2 >= 6  # two header lines, then one line per chart


def test_the_report_command_writes_both_files_in_danish(demo_db, db, tmp_path):
    call_command("status_report", "--output", str(tmp_path), "--as-of", "2025-12-31", stdout=open("/dev/null", "w"))
    pdf, xlsx = sorted(tmp_path.glob("status-report-priority-4-2025-12-31.*"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Statusrapport" in text
    sheets = libreoffice_csv(xlsx, tmp_path)
    assert "Oversigt" in sheets


def test_a_bad_as_of_gives_a_clear_error_not_a_report(viewer):
    response = viewer.post("/progress/reports/", {"format": "xlsx", "as_of": "2030-01-01"})
    assert response.status_code == 400
    assert "future" in response.content.decode()
    assert not StatusReport.objects.exists()


def test_an_unknown_report_format_is_a_clear_error(viewer):
    response = viewer.post("/progress/reports/", {"format": "docx"})
    assert response.status_code == 400 and "docx" in response.content.decode()
    assert not StatusReport.objects.exists()


def test_a_report_not_yet_drawn_has_no_file(viewer):
    asked = viewer.post("/progress/reports/", {"format": "pdf"})
    (report,) = StatusReport.objects.all()
    assert viewer.get(f"/progress/reports/{report.pk}/file").status_code == 404
    status = viewer.get(f"/progress/reports/{report.pk}/status.json").json()
    assert status["status"] == "queued" and not status["finished"] and status["file"] is None
    assert "Waiting for a worker" in viewer.get(asked["Location"]).content.decode()


def test_a_user_may_have_three_reports_waiting_at_a_time(viewer, client_for):
    for _ in range(3):
        assert viewer.post("/progress/reports/", {"format": "pdf"}).status_code == 302
    refused = viewer.post("/progress/reports/", {"format": "xlsx"})
    assert refused.status_code == 429
    assert "You have 3 reports waiting to be drawn" in refused.content.decode()
    assert StatusReport.objects.count() == 3
    tasks.draw(StatusReport.objects.filter(fmt="pdf").first())  # one is drawn: room for one more
    assert viewer.post("/progress/reports/", {"format": "xlsx"}).status_code == 302
    assert client_for("editor").post("/progress/reports/", {"format": "pdf"}).status_code == 302  # per user


def test_reports_asked_for_are_kept_90_days_and_the_half_yearly_ones_for_good(viewer, role_users):
    def made(days_ago, scheduled):
        report = StatusReport.objects.create(fmt="pdf", language="da", scheduled=scheduled, status="ready")
        StatusReport.objects.filter(pk=report.pk).update(requested_at=timezone.now() - dt.timedelta(days=days_ago))
        return report.pk

    old, recent, half_yearly = made(91, False), made(89, False), made(400, True)
    assert tasks.prune_old_status_reports(timestamp=0) == 1
    assert set(StatusReport.objects.values_list("pk", flat=True)) == {recent, half_yearly}
    assert not StatusReport.objects.filter(pk=old).exists()


def test_anonymous_users_get_no_report(client, db):
    assert client.get("/progress/reports/").status_code == 302
    assert client.post("/progress/reports/", {"format": "xlsx"}).status_code == 302
    assert not StatusReport.objects.exists()


def sums_by_cell(body: bytes) -> dict[tuple[str, str], float]:
    """(sheet, cell) -> the sum of the numbers in the range of each SUM formula in the workbook."""
    expected = {}
    for sheet in openpyxl.load_workbook(io.BytesIO(body)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("=SUM("):
                    numbers = [c.value for part in sheet[cell.value[5:-1]] for c in part]
                    expected[sheet.title, cell.coordinate] = sum(v for v in numbers if isinstance(v, int | float))
    return expected


def test_every_total_is_stored_with_its_live_sum_for_readers_that_do_not_calculate(viewer):
    api = viewer.get("/api/progress/").json()
    body = request_report(viewer, "xlsx").content
    expected = sums_by_cell(body)
    assert len(expected) == 2 * 2 + 2  # committed and pipeline per sector, realised, funding
    values = openpyxl.load_workbook(io.BytesIO(body), data_only=True)
    frames = pd.read_excel(io.BytesIO(body), sheet_name=None, header=None)
    for (sheet, coordinate), total in expected.items():
        cell = values[sheet][coordinate]
        assert cell.value == pytest.approx(total), (sheet, coordinate)
        assert frames[sheet].iat[cell.row - 1, cell.column - 1] == pytest.approx(total), (sheet, coordinate)
    industry = sorted(total for (sheet, _cell), total in expected.items() if sheet == "Industry")
    assert industry == pytest.approx(sorted([api["industry"]["committed_tonnes"], api["industry"]["pipeline_tonnes"]]))


def test_an_empty_registry_reports_totals_of_zero_not_a_sum_of_its_own_cell(db):
    body = reports.build("xlsx", as_of=dt.date(2000, 1, 1)).content  # before any record was entered
    values = openpyxl.load_workbook(io.BytesIO(body), data_only=True)
    totals = [
        [cell.value for cell in row[1:] if cell.value is not None]
        for sheet in values.worksheets
        for row in sheet.iter_rows()
        if row[0].value == "Total of the rows"
    ]
    assert totals == [[0]] * 6


@pytest.fixture
def just_after_midnight_in_copenhagen(monkeypatch):
    """2 March 2026, 00:30 in Copenhagen and still 1 March in UTC, on a server whose clock runs in UTC."""
    instant = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(time, "time", instant.timestamp)  # what dt.date.today() reads
    monkeypatch.setattr(timezone, "now", lambda: instant)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_command_and_the_api_agree_that_today_is_copenhagens(
    client_for, tmp_path, just_after_midnight_in_copenhagen
):
    quiet = open(os.devnull, "w")
    call_command("status_report", "--format", "xlsx", "--as-of", "2026-03-02", "--output", str(tmp_path), stdout=quiet)
    assert (tmp_path / "status-report-priority-4-2026-03-02.xlsx").exists()
    with pytest.raises(CommandError, match="future"):
        call_command("status_report", "--format", "xlsx", "--as-of", "2026-03-03", "--output", str(tmp_path))
    viewer = client_for("viewer")
    assert viewer.get("/api/progress/", {"as_of": "2026-03-02"}).status_code == 200
    assert viewer.get("/api/progress/", {"as_of": "2026-03-03"}).status_code == 400
