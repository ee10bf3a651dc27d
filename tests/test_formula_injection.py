"""Names a spreadsheet would run as a formula (OWASP's CSV injection: =, +, -, @, tab, CR) reach the reader as
text in every CSV and workbook we write, and Excel's cell limit never cuts an export short (issue #19)."""

import csv
import io

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from django.contrib.gis.geos import Point, Polygon
from rest_framework.test import APIClient
from shapely.geometry import Point as ShapelyPoint

from core.spreadsheet import CELL_TEXT_MAX
from publish.exports import CSV_DIALECTS, write_xlsx
from registry.models import OrganisationSite

from .conftest import make_measure, make_organisation, make_partnership, make_site
from .test_spreadsheet_exports import danish_rows, libreoffice_workbook
from .test_status_report import libreoffice_csv, request_report

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]
LEGITIMATE = ["- Nord", "A/S -"]  # "- Nord" starts with -: quoted in CSV like the rest, shown as typed
NAMES = HOSTILE + LEGITIMATE
METADATA = {"as_of": "2026-03-02T00:30:00+01:00", "filter": {}}


def csv_text(name: str) -> str:
    """What a CSV field holds for `name`: a leading ' where a spreadsheet would run it."""
    return name if name == "A/S -" else "'" + name


@pytest.fixture
def viewer(role_users):
    client = APIClient()
    client.force_authenticate(role_users["viewer"])
    return client


@pytest.fixture
def named_sites(db):
    for n, name in enumerate(NAMES):
        make_site(name=name, site_type="wind", geometry=Point(9.90 + n / 100, 57.05, srid=4326))


@pytest.fixture
def named_partnerships(db):
    for n, name in enumerate(NAMES):
        organisation = make_organisation(name=name, cvr="")
        OrganisationSite.objects.create(
            organisation=organisation, name=f"Site {n}", location=Point(556_000 + 100 * n, 6_322_900, srid=25832)
        )
        make_measure(make_partnership(organisation, title=name), title=name)


def body_of(client, path) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, response.content[:500] if not response.streaming else ""
    return response.content


def xlsx_cells(body: bytes, sheet: str, column: str) -> list:
    rows = openpyxl.load_workbook(io.BytesIO(body))[sheet].iter_rows()
    header = [c.value for c in next(rows)]
    return [row[header.index(column)] for row in rows]


def test_the_international_csv_quotes_every_formula_start(viewer, named_sites):
    rows = list(csv.DictReader(io.StringIO(body_of(viewer, "/api/exports/sites.csv").decode("utf-8-sig"))))
    assert sorted(row["name"] for row in rows) == sorted(csv_text(name) for name in NAMES)


def test_the_danish_csv_quotes_every_formula_start(viewer, named_sites):
    names = set(danish_rows(body_of(viewer, "/api/exports/sites.csv?dialect=da")))
    # number-like text becomes a formula whose value is the text itself (="+1+1"): shown as typed, never run
    assert names == {'="+1+1"', '="-2+3"'} | {csv_text(name) for name in NAMES if name not in ("+1+1", "-2+3")}


@pytest.mark.parametrize("layer, sheet, column", [("sites", "sites", "name"), ("partnerships", None, "title")])
def test_the_layer_workbook_holds_every_name_as_a_string_cell(
    viewer, named_sites, named_partnerships, layer, sheet, column
):
    body = body_of(viewer, f"/api/exports/{layer}.xlsx")
    cells = xlsx_cells(body, sheet or layer, column)
    assert sorted(c.value for c in cells) == sorted(NAMES)
    assert {c.data_type for c in cells} == {"s"}  # not "f": no live formula
    assert {c.value for c in cells if c.quotePrefix} == set(HOSTILE) | {"- Nord"}  # Excel's ' prefix, hidden
    if layer == "partnerships":
        organisations = xlsx_cells(body, layer, "organisation_name")
        assert {c.data_type for c in organisations} == {"s"} and sorted(c.value for c in organisations) == sorted(NAMES)


def test_libreoffice_shows_the_names_from_both_formats_not_their_results(viewer, named_sites, tmp_path):
    path = tmp_path / "sites.xlsx"
    path.write_bytes(body_of(viewer, "/api/exports/sites.xlsx"))
    shown = libreoffice_csv(path, tmp_path)["sites"]
    column = shown[0].index("name")
    assert sorted(row[column] for row in shown[1:]) == sorted(NAMES)  # not "y", 2, 1, Err:...

    for dialect, number_like_as_typed in (("international", False), ("da", True)):
        path = tmp_path / f"sites-{dialect}.csv"
        path.write_bytes(body_of(viewer, f"/api/exports/sites.csv?dialect={dialect}"))
        sheet = libreoffice_workbook(path, tmp_path, False, evaluate=True, danish=dialect == "da").active
        column = [c.value for c in sheet[1]].index("name")
        shown = sorted(row[column] for row in sheet.iter_rows(min_row=2, values_only=True))
        as_typed = ("+1+1", "-2+3") if number_like_as_typed else ()  # the Danish ="+1+1" shows +1+1
        assert shown == sorted(name if name in as_typed else csv_text(name) for name in NAMES), dialect


def frame_with(values: dict) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(values, geometry=[ShapelyPoint(9.92, 57.05)] * len(next(iter(values.values()))), crs=4326)


@pytest.mark.parametrize("dialect", sorted(CSV_DIALECTS))
def test_numbers_stay_numbers_in_both_csv_dialects_and_text_like_numbers_is_quoted(dialect):
    frame = frame_with({"delta": [-5.0, 2.5], "note": ["-5+cmd", "ok"]})
    body = CSV_DIALECTS[dialect](frame, name="t", srid=4326, metadata=METADATA).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body, newline=""), delimiter=";" if dialect == "da" else ","))
    assert [row["delta"] for row in rows] == (["-5", "2,5"] if dialect == "da" else ["-5.0", "2.5"])
    assert rows[0]["note"] in ("'-5+cmd", '="-5+cmd"')  # text, whichever way the dialect keeps it text
    assert rows[1]["note"] == "ok"


def test_numbers_stay_numbers_in_the_workbook():
    body = write_xlsx(frame_with({"delta": [-5.0], "note": ["-5+cmd"]}), name="t", srid=4326, metadata=METADATA)
    sheet = openpyxl.load_workbook(io.BytesIO(body))["t"]
    header = [c.value for c in sheet[1]]
    delta, note = sheet.cell(2, header.index("delta") + 1), sheet.cell(2, header.index("note") + 1)
    assert (delta.value, delta.data_type) == (-5, "n")
    assert (note.value, note.data_type, note.quotePrefix) == ("-5+cmd", "s", True)


def test_the_status_report_holds_user_typed_names_as_text(client_for, named_partnerships):
    response = request_report(client_for("viewer"), "xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    typed = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value in NAMES]
    assert {c.value for c in typed} >= set(NAMES)  # partnership and measure titles, by sheet
    assert {c.data_type for c in typed} == {"s"}
    frame = pd.read_excel(io.BytesIO(response.content), sheet_name="Partnerships signed", header=None)
    assert set(NAMES) <= set(frame.stack().astype(str))  # pandas reads the names, not formula results


def ring_of(vertices: int) -> Polygon:
    """A polygon near Aalborg whose WKT (7 decimals in WGS84) is longer than an Excel cell holds."""
    import math

    points = [
        (9.92 + 0.01 * math.cos(2 * math.pi * i / vertices), 57.05 + 0.01 * math.sin(2 * math.pi * i / vertices))
        for i in range(vertices)
    ]
    return Polygon([*points, points[0]], srid=4326)


def test_a_geometry_too_long_for_an_excel_cell_is_a_409_naming_it_not_a_cut_workbook(viewer, db, tmp_path):
    big = make_site(name="Solcellepark med mange hjørner", site_type="solar", geometry=ring_of(1600))
    make_site(name="Lille mølle", site_type="wind", geometry=Point(9.92, 57.05, srid=4326))
    response = viewer.get("/api/exports/sites.xlsx")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert "Content-Disposition" not in response
    detail = response.json()["detail"]
    assert f"feature {big.pk} " in detail and "wkt" in detail and f"{CELL_TEXT_MAX}" in detail
    assert "GeoPackage" in detail and "Lille" not in detail

    path = tmp_path / "sites.gpkg"  # the format the message offers holds it whole
    path.write_bytes(body_of(viewer, "/api/exports/sites.gpkg"))
    frame = gpd.read_file(path, layer="sites").set_index("id")
    assert len(frame.loc[big.pk].geometry.exterior.coords) == 1601
    assert viewer.get("/api/exports/sites.xlsx", {"type": "wind"}).status_code == 200  # without it: complete


def test_the_import_report_of_rejected_rows_runs_no_formula():
    """The report repeats the uploaded file's own cells: a rejected =HYPERLINK(...) stays text in Excel."""
    import csv
    import io
    from types import SimpleNamespace

    from imports.report import write_report

    run = SimpleNamespace(
        rejections=[
            {
                "row": 2,
                "column": "=cmd|' /C calc'!A0",
                "field": "name",
                "value": '=HYPERLINK("http://x","y")',
                "reason": "x",
            },
            {"row": 3, "column": "Kapacitet", "field": "capacity", "value": "-5", "reason": "Not negative."},
        ]
    )
    handle = io.StringIO()
    write_report(run, handle)
    rows = list(csv.reader(io.StringIO(handle.getvalue().lstrip("\ufeff"))))
    assert rows[1][1:4] == ["'=cmd|' /C calc'!A0", "name", '\'=HYPERLINK("http://x","y")']
    assert rows[2][0] == "3" and rows[2][3] == "'-5"  # text from the file, not a number we wrote
