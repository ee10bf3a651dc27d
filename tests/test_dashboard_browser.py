"""The dashboard in a real browser: the figures a person reads are the API's figures."""

import re

import pytest
from django.core.management import call_command

from .browser import ARTIFACTS, chromium, watch_console
from .jobs import WorkerProcess

# Data migrations (municipalities, targets, roles) are restored for each test after the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def lookup(data, path):
    for part in path.split("."):
        data = data[part]
    return data["count"] if isinstance(data, dict) and "count" in data else data


@pytest.fixture
def signed_in_page(live_server):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="en-GB")
        errors = watch_console(page)
        page.goto(live_server.url + "/")
        page.click("button[value=viewer]")
        page.wait_for_selector("#trajectory-industry")
        yield page, errors, live_server.url


def test_every_figure_on_the_dashboard_matches_the_api(signed_in_page):
    page, errors, base = signed_in_page
    api = page.request.get(base + "/api/progress/").json()
    figures = page.eval_on_selector_all(
        "[data-figure]", "els => els.map(e => [e.dataset.figure, e.dataset.value, e.textContent])"
    )
    assert len(figures) > 30
    for path, value, text in figures:
        expected = lookup(api, path)
        assert float(value) == pytest.approx(expected), path
        if "share" not in path:
            assert int(re.sub(r"\D", "", text)) == round(expected), (path, text)
    charts = page.evaluate("() => [...document.querySelectorAll('canvas')].map(c => !!Chart.getChart(c))")
    assert len(charts) == 8 and all(charts)
    points = page.evaluate("() => Chart.getChart(document.getElementById('trajectory-industry')).data.datasets[0].data")
    assert points == [api["industry"]["trajectory"][y] for y in sorted(api["industry"]["trajectory"])]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-laptop.png"), full_page=True)
    assert errors == []


def test_a_figure_drills_down_to_rows_that_add_up_to_it(signed_in_page):
    page, errors, base = signed_in_page
    figure = page.get_attribute("#sector-agriculture dd [data-figure='agriculture.pipeline_tonnes']", "data-value")
    page.click("#sector-agriculture dd [data-figure='agriculture.pipeline_tonnes']")
    page.wait_for_selector("#row-total")
    assert float(page.get_attribute("#row-total", "data-value")) == pytest.approx(float(figure))
    assert page.locator("table.rows tbody tr").count() > 0
    assert errors == []


def test_the_dashboard_reads_in_danish_and_fits_a_projector(signed_in_page):
    page, errors, base = signed_in_page
    page.select_option("select[name=language]", "da")
    page.wait_for_selector("text=Fremdrift mod målene for 2030")
    committed = page.get_attribute("a.figure.big[data-figure='industry.committed_tonnes']", "data-value")
    shown = page.text_content("a.figure.big[data-figure='industry.committed_tonnes']")
    assert shown == f"{float(committed):,.0f}".replace(",", ".")  # Danish thousands separator
    assert page.is_visible("text=Statusrapport (Excel)")
    for width, height in ((1920, 1080), (1280, 720)):
        page.set_viewport_size({"width": width, "height": height})
        # charts re-layout on the next frames; the page must settle with no sideways scrolling
        page.wait_for_function("() => document.scrollingElement.scrollWidth <= window.innerWidth", timeout=5000)
    page.screenshot(path=str(ARTIFACTS / "dashboard-projector-da.png"))
    assert errors == []


def test_the_report_button_has_a_worker_draw_the_workbook_then_downloads_it(signed_in_page, tmp_path):
    page, errors, base = signed_in_page
    page.click("#report-xlsx")
    page.wait_for_selector("#report-status")
    assert page.inner_text("#report-status") == "Waiting for a worker"  # no worker yet: the page waits, and says so
    with WorkerProcess("report-worker", tmp_path):
        page.wait_for_selector("#report-file", timeout=60_000)  # the page follows the job, then offers the file
    assert page.inner_text("#report-status") == "Ready"
    with page.expect_download() as download:
        page.click("#report-file")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert download.value.path().read_bytes()[:2] == b"PK"
    page.goto(base + "/progress/reports/")
    assert page.locator("#reports tbody tr").count() == 1
    assert errors == []
