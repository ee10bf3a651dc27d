"""Exports for spreadsheets: the Danish CSV dialect (read back by real LibreOffice in Danish), integers and codes
in the international CSV, text that looks like a formula, and an OpenAPI document naming each format's type."""

import csv
import io
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from rest_framework.test import APIClient

from publish.exports import FORMATS
from registry.models import OrganisationSite

from .conftest import make_organisation, make_partnership, make_site

SOFFICE = "/usr/bin/soffice"
WIND = "Vindmøller ved Ærøsund Å"
SOLAR = "Solcellepark Nørre Tranders"


@pytest.fixture
def viewer(role_users):
    client = APIClient()
    client.force_authenticate(role_users["viewer"])
    return client


@pytest.fixture
def sites(db):
    """Like the registry's data: a capacity a Danish reader could take for 10601, a nullable year given on one
    site only, a GSRN-like external id, names with æ, ø and å; both in Aalborg Kommune (0851)."""
    operator = make_organisation(name="Ærø Energi A/S", cvr="12345674")
    wind = make_site(
        name=WIND,
        site_type="wind",
        capacity=Decimal("10.601"),
        commissioning_year=2027,
        external_id="570715000000123456",
        operator=operator,
        geometry=Point(9.92, 57.05, srid=4326),
    )
    solar = make_site(name=SOLAR, site_type="solar", capacity=Decimal(42), geometry=Point(9.95, 57.03, srid=4326))
    assert wind.municipality_code == solar.municipality_code == "0851"
    return wind, solar


def download(client, path) -> tuple[bytes, object]:
    response = client.get(path)
    assert response.status_code == 200, getattr(response, "content", b"")[:500]
    return (b"".join(response.streaming_content) if response.streaming else response.content), response


def danish_rows(body: bytes) -> dict[str, dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    text = body[3:].decode("utf-8")
    assert "\r\n" in text and text.count("\r\n") == text.count("\n")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    return {row.get("name") or row.get("site_name"): row for row in rows}


def test_the_danish_csv_has_semicolons_decimal_commas_integers_and_codes_as_text(viewer, sites):
    body, response = download(viewer, "/api/exports/sites.csv?dialect=da")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('-da.csv"')
    rows = danish_rows(body)
    wind, solar = rows[WIND], rows[SOLAR]
    assert wind["capacity"] == "10,601" and solar["capacity"] == "42"
    assert wind["commissioning_year"] == "2027" and solar["commissioning_year"] == ""  # not 2027.0
    assert wind["municipality_code"] == '="0851"'  # a formula whose value is the text 0851
    assert wind["external_id"] == '="570715000000123456"'  # 18 digits: as a number, Excel would round it
    assert wind["operator_name"] == "Ærø Energi A/S"
    assert wind["lon"].replace(",", ".") == "9.92" and "," in wind["lat"]
    assert wind["wkt"].startswith("POINT (9.92 57.05")  # WKT keeps its own decimal points
    text = body.decode("utf-8-sig")
    assert f'"{WIND}";' in text  # text is quoted, numbers are not
    assert ";10,601;" in text and ";2027;" in text


def test_the_danish_csv_of_partnerships_keeps_cvr_as_text_and_dates_as_iso_dates(viewer, db):
    farm = make_organisation(name="Gården ved Limfjorden", cvr="29403473")
    OrganisationSite.objects.create(organisation=farm, name="Stald", location=Point(556_000, 6_322_900, srid=25832))
    make_partnership(farm, title="Klimapartnerskab: Gylle og biogas")
    row = danish_rows(download(viewer, "/api/exports/partnerships.csv?dialect=da")[0])["Stald"]
    assert row["cvr"] == '="29403473"'
    assert row["signed_on"] == "2024-05-01"
    assert row["title"] == "Klimapartnerskab: Gylle og biogas"


def test_the_international_csv_writes_integers_as_integers_and_keeps_leading_zeros(viewer, sites):
    body, _ = download(viewer, "/api/exports/sites.csv")
    assert b"2027.0" not in body
    frame = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", dtype=str, keep_default_na=False).set_index("name")
    assert frame.loc[WIND, "commissioning_year"] == "2027" and frame.loc[SOLAR, "commissioning_year"] == ""
    assert frame.loc[WIND, "municipality_code"] == "0851"
    assert frame.loc[WIND, "capacity"] == "10.601"
    assert frame.loc[WIND, "external_id"] == "570715000000123456"


@pytest.mark.parametrize("value", ["excel", "DA", "da;sep"])
def test_an_unknown_dialect_is_a_400_naming_the_parameter(viewer, sites, value):
    response = viewer.get("/api/exports/sites.csv", {"dialect": value})
    assert response.status_code == 400
    assert "dialect" in response.json() and "international, da" in response.json()["dialect"][0]


def test_the_dialect_is_no_filter_and_other_formats_accept_it(viewer, sites):
    body, _ = download(viewer, "/api/exports/sites.csv?dialect=da&type=wind")
    rows = danish_rows(body)
    assert list(rows) == [WIND]
    assert rows[WIND]["export_filter"] == '{"type": "wind"}'
    download(viewer, "/api/exports/sites.xlsx?dialect=international")


def test_text_that_looks_like_a_formula_stays_text_in_both_spreadsheet_formats(viewer, db):
    name = '=HYPERLINK("http://example.invalid";"Klik")'
    make_site(name=name, site_type="wind", geometry=Point(9.92, 57.05, srid=4326))
    body, _ = download(viewer, "/api/exports/sites.csv?dialect=da")
    assert "'" + name in danish_rows(body)
    assert '"\'=HYPERLINK(""http://example.invalid"";""Klik"")"' in body.decode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(download(viewer, "/api/exports/sites.xlsx")[0]))["sites"]
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("name") + 1)
    assert cell.value == name and cell.data_type == "s"


def libreoffice_workbook(
    csv_path: Path, tmp_path: Path, quoted_as_text: bool, evaluate: bool, danish: bool = True
) -> openpyxl.Workbook:
    """The CSV opened by LibreOffice Calc as a Danish user opens it, saved as .xlsx and read with openpyxl.

    Filter tokens: `;` (59), `"` (34), UTF-8 (76), from row 1, no column formats, Danish (LCID 1030),
    "Format quoted field as text", "Detect special numbers" off, (four export-only tokens), "Evaluate formulas".
    Not `danish`: the international CSV as an English user opens it, `,` (44) and English (LCID 1033).
    """
    flag = {True: "true", False: "false"}
    separator, language = (59, 1030) if danish else (44, 1033)
    options = f"{separator},34,76,1,,{language},{flag[quoted_as_text]},false,true,false,false,0,{flag[evaluate]}"
    profile = tmp_path / "lo-profile"  # a fresh profile: runs never share LibreOffice's user settings
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            f"--infilter=CSV:{options}",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(tmp_path / "out"),
            str(csv_path),
        ],
        check=True,
        capture_output=True,
        timeout=90,
        env={**os.environ, "HOME": str(tmp_path), "LC_ALL": "C.UTF-8"},
    )
    return openpyxl.load_workbook(tmp_path / "out" / f"{csv_path.stem}.xlsx", data_only=True)


@pytest.mark.parametrize(
    "quoted_as_text, evaluate, code",
    [(False, True, "0851"), (True, True, "0851"), (False, False, '="0851"')],  # the last: the zero is still there
)
def test_libreoffice_in_danish_reads_numbers_as_numbers_and_codes_as_text(
    viewer, sites, tmp_path, quoted_as_text, evaluate, code
):
    csv_path = tmp_path / "sites.csv"
    csv_path.write_bytes(download(viewer, "/api/exports/sites.csv?dialect=da")[0])
    sheet = libreoffice_workbook(csv_path, tmp_path, quoted_as_text, evaluate).active
    header = [cell.value for cell in sheet[1]]
    rows = {row[header.index("name")]: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {WIND, SOLAR}  # æ, ø and å intact
    wind, solar = rows[WIND], rows[SOLAR]
    assert isinstance(wind["capacity"], float) and wind["capacity"] == pytest.approx(10.601)  # not 10601
    assert solar["capacity"] == 42
    assert wind["commissioning_year"] == 2027 and isinstance(wind["commissioning_year"], int)
    assert solar["commissioning_year"] is None
    assert wind["municipality_code"] == code  # text, with its zero
    assert wind["external_id"] == code.replace("0851", "570715000000123456")
    assert wind["operator_name"] == "Ærø Energi A/S"
    assert wind["lon"] == pytest.approx(9.92) and wind["lat"] == pytest.approx(57.05)
    assert isinstance(wind["wkt"], str) and wind["wkt"].startswith("POINT")


def test_the_schema_names_the_one_content_type_of_each_export(viewer):
    schema = viewer.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    exports = {path: ops["get"] for path, ops in schema["paths"].items() if path.startswith("/api/exports/")}
    assert set(exports) == {f"/api/exports/{{layer}}.{fmt}" for fmt in FORMATS}  # no /api/exports/{layer}.{fmt}
    for fmt, (content_type, _extension) in FORMATS.items():
        operation = exports[f"/api/exports/{{layer}}.{fmt}"]
        assert list(operation["responses"]["200"]["content"]) == [content_type.split(";")[0]], fmt
        parameters = {p["name"]: p for p in operation["parameters"]}
        assert parameters["layer"]["in"] == "path"
        if fmt == "csv":
            assert set(parameters["dialect"]["schema"]["enum"]) == {"international", "da"}
            assert parameters["dialect"]["schema"]["default"] == "international"
        else:
            assert "dialect" not in parameters
    assert len({operation["operationId"] for operation in exports.values()}) == len(FORMATS)


def test_every_export_url_keeps_its_name_and_address(viewer, sites):
    for fmt in FORMATS:
        assert reverse("api-export", args=("sites", fmt)) == f"/api/exports/sites.{fmt}"
        download(viewer, f"/api/exports/sites.{fmt}")
    assert viewer.get("/api/exports/sites.docx").status_code == 404


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_heat_page_offers_the_danish_csv_in_danish(client_for, db, language):
    page = client_for("viewer").get("/heat/opportunities/?max_distance_m=900", HTTP_ACCEPT_LANGUAGE=language)
    html = page.content.decode()
    international = '/api/exports/heat-opportunities.csv?max_distance_m=900"'
    danish = "/api/exports/heat-opportunities.csv?max_distance_m=900&amp;dialect=da"
    assert international in html
    assert (danish in html) == (language == "da")
