"""Layer exports read back with GeoPandas and openpyxl: same rows, same values, Danish letters intact."""

import io
import json
import shutil
import subprocess
import zipfile
from datetime import datetime
from decimal import Decimal

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from django.contrib.gis.geos import LineString, Point, Polygon
from rest_framework.test import APIClient

from registry.models import OrganisationSite

from .conftest import make_measure, make_organisation, make_partnership, make_site

FORMATS = ["geojson", "csv", "xlsx", "gpkg", "shp"]


@pytest.fixture
def viewer(role_users):
    client = APIClient()
    client.force_authenticate(role_users["viewer"])
    return client


@pytest.fixture
def layer(db):
    """Three sites of three geometry types, with Danish letters, one outside the filter."""
    x, y = 556_000, 6_322_900
    operator = make_organisation(name="Ærø Energi A/S")
    return {
        "wind": make_site(
            name="Vindmølle ved Sønderholm",
            site_type="wind",
            capacity=Decimal("3.6"),
            operator=operator,
            geometry=Point(9.92, 57.05, srid=4326),
        ),
        "solar": make_site(
            name="Solcellepark Øster Hassing",
            site_type="solar",
            planning_status="approved",
            capacity=Decimal(42),
            geometry=Polygon(((x, y), (x + 500, y), (x + 500, y + 300), (x, y + 300), (x, y)), srid=25832),
        ),
        "pipe": make_site(
            name="CO₂-ledning Rørdal–Å",
            site_type="co2_pipe",
            capacity=Decimal("7.2"),
            capacity_unit="km",
            geometry=LineString((x, y), (x + 4000, y + 500), srid=25832),
        ),
    }


def download(client, path) -> tuple[bytes, object]:
    response = client.get(path)
    assert response.status_code == 200, getattr(response, "content", b"")[:500]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body, response


def read_back(body: bytes, fmt: str, tmp_path) -> gpd.GeoDataFrame | pd.DataFrame:
    path = tmp_path / f"export.{fmt if fmt != 'shp' else 'zip'}"
    path.write_bytes(body)
    if fmt == "csv":
        return pd.read_csv(path, encoding="utf-8-sig")
    if fmt == "xlsx":
        return pd.read_excel(path, sheet_name=0)
    if fmt == "shp":
        with zipfile.ZipFile(path) as archive:
            archive.extractall(tmp_path / "shp")
        parts = [gpd.read_file(p) for p in sorted((tmp_path / "shp").glob("*.shp"))]
        return pd.concat(parts, ignore_index=True)
    return gpd.read_file(path, layer="sites" if fmt == "gpkg" else None)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_back_with_the_same_rows_and_values(viewer, layer, fmt, tmp_path):
    body, _response = download(viewer, f"/api/exports/sites.{fmt}")
    frame = read_back(body, fmt, tmp_path)
    assert sorted(frame["name"]) == sorted(site.name for site in layer.values())
    by_name = frame.set_index("name")
    assert by_name.loc["Solcellepark Øster Hassing", "capacity"] == pytest.approx(42)
    assert by_name.loc["CO₂-ledning Rørdal–Å", "site_type"] == "co2_pipe"
    operator_column = "operator_name" if "operator_name" in frame else "operator_n"
    assert by_name.loc["Vindmølle ved Sønderholm", operator_column] == "Ærø Energi A/S"


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp"])
@pytest.mark.parametrize("srid", [4326, 25832])
def test_coordinates_round_trip_in_both_crs(viewer, layer, fmt, srid, tmp_path):
    body, _ = download(viewer, f"/api/exports/sites.{fmt}?srid={srid}")
    frame = read_back(body, fmt, tmp_path)
    assert frame.crs.to_epsg() == srid
    wind = frame[frame["name"] == "Vindmølle ved Sønderholm"].geometry.iloc[0]
    expected = layer["wind"].geometry.transform(srid, clone=True)
    assert (wind.x, wind.y) == pytest.approx((expected.x, expected.y), abs=1e-6 if srid == 4326 else 0.01)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_spreadsheets_carry_coordinates_and_wkt(viewer, layer, fmt, tmp_path):
    body, _ = download(viewer, f"/api/exports/sites.{fmt}?srid=25832")
    frame = read_back(body, fmt, tmp_path).set_index("name")
    wind = layer["wind"].geometry
    assert frame.loc["Vindmølle ved Sønderholm", ["x", "y"]].tolist() == pytest.approx([wind.x, wind.y], abs=0.01)
    assert frame.loc["CO₂-ledning Rørdal–Å", "wkt"].startswith("LINESTRING")


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_are_filtered_like_the_list(viewer, layer, fmt, tmp_path):
    body, _ = download(viewer, f"/api/exports/sites.{fmt}?type=solar&type=wind")
    frame = read_back(body, fmt, tmp_path)
    listed = viewer.get("/api/sites/?type=solar&type=wind").json()
    assert sorted(frame["name"]) == sorted(f["properties"]["name"] for f in listed["features"])
    assert len(frame) == 2


def test_every_export_carries_its_time_and_filter(viewer, layer, tmp_path):
    query = "status=approved&search=Solcelle"
    geojson = json.loads(download(viewer, f"/api/exports/sites.geojson?{query}")[0])
    assert geojson["filter"] == {"status": "approved", "search": "Solcelle"}
    assert datetime.fromisoformat(geojson["as_of"]).tzinfo is not None
    csv = pd.read_csv(io.BytesIO(download(viewer, f"/api/exports/sites.csv?{query}")[0]), encoding="utf-8-sig")
    assert json.loads(csv["export_filter"][0]) == {"status": "approved", "search": "Solcelle"}
    workbook = openpyxl.load_workbook(io.BytesIO(download(viewer, f"/api/exports/sites.xlsx?{query}")[0]))
    meta = {row[0]: row[1] for row in workbook["export"].iter_rows(min_row=2, values_only=True)}
    assert json.loads(meta["filter"])["status"] == "approved" and meta["crs"] == "EPSG:4326"
    path = tmp_path / "x.gpkg"
    path.write_bytes(download(viewer, f"/api/exports/sites.gpkg?{query}")[0])
    meta = gpd.read_file(path, layer="export_metadata")
    assert "approved" in meta.set_index("key").loc["filter", "value"]
    with zipfile.ZipFile(io.BytesIO(download(viewer, f"/api/exports/sites.shp?{query}")[0])) as archive:
        assert "status" in archive.read("export.txt").decode()


def test_xlsx_opens_with_openpyxl_and_keeps_numbers_as_numbers(viewer, layer):
    workbook = openpyxl.load_workbook(io.BytesIO(download(viewer, "/api/exports/sites.xlsx")[0]))
    sheet = workbook["sites"]
    header = [c.value for c in sheet[1]]
    rows = {r[header.index("name")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Solcellepark Øster Hassing"][header.index("capacity")] == 42


def test_partnerships_are_mapped_at_their_organisations_sites(viewer, tmp_path):
    from registry.models import OrganisationSite

    cement = make_organisation(name="Limfjord Cement A/S")
    OrganisationSite.objects.create(organisation=cement, name="Rørdal", location=Point(561_000, 6_323_300, srid=25832))
    OrganisationSite.objects.create(organisation=cement, name="Havn", location=Point(557_000, 6_323_000, srid=25832))
    partnership = make_partnership(cement, title="Klimapartnerskab: Cement")
    make_measure(partnership)
    make_partnership(make_organisation(name="Gård", cvr="29403473"), title="dialogue", status="dialogue")
    body, _ = download(viewer, "/api/exports/partnerships.geojson?status=signed")
    features = json.loads(body)["features"]
    assert sorted(f["properties"]["site_name"] for f in features) == ["Havn", "Rørdal"]
    assert len({f["id"] for f in features}) == 2
    path = tmp_path / "partnerships.gpkg"
    path.write_bytes(download(viewer, "/api/exports/partnerships.gpkg?status=signed")[0])
    frame = gpd.read_file(path, layer="partnerships")
    assert sorted(frame["site_name"]) == ["Havn", "Rørdal"]
    assert set(frame["title"]) == {"Klimapartnerskab: Cement"}


def test_symbioses_export_their_pipe_routes(viewer, db):
    from registry.models import HeatSymbiosis

    HeatSymbiosis.objects.create(
        name="Kiln heat",
        source_description="kiln",
        receiving_network="Aalborg Forsyning",
        capacity_mw=18,
        heat_mwh_per_yr=140000,
        pipe_route=LineString((561_000, 6_323_300), (556_000, 6_322_900), srid=25832),
    )
    frame = gpd.read_file(io.BytesIO(download(viewer, "/api/exports/symbioses.geojson")[0]))
    assert frame.geometry.iloc[0].geom_type == "LineString"
    assert frame["receiving_network"].iloc[0] == "Aalborg Forsyning"


def test_export_permissions_and_errors(role_users, layer):
    assert APIClient().get("/api/exports/sites.geojson").status_code == 401
    client = APIClient()
    client.force_authenticate(role_users["viewer"])
    assert client.get("/api/exports/sites.docx").status_code == 404
    assert client.get("/api/exports/people.csv").status_code == 404
    response = client.get("/api/exports/sites.csv?srid=3857")
    assert response.status_code == 400 and "srid" in response.json()
    assert client.get("/api/exports/sites.csv?bbox=1,2").status_code == 400


def test_control_characters_in_records_do_not_break_the_excel_export(viewer, db):
    make_site(name="Bell\x07 and tab\there", site_type="wind", geometry=Point(9.92, 57.05, srid=4326))
    body, _ = download(viewer, "/api/exports/sites.xlsx?search=Bell%07")
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    assert workbook["sites"]["C2"].value == "Bell and tab\there"


@pytest.fixture
def small_disk(tmp_path):
    """A real filesystem of 4 MB (tmpfs), to be filled: the export's work directory runs out of space on it."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)], check=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


@pytest.mark.parametrize("fmt", ["gpkg", "shp"])
def test_a_full_disk_during_an_export_is_an_error_not_a_short_file(viewer, settings, small_disk, db, fmt, tmp_path):
    for n in range(300):  # enough rows that the file cannot fit in what is left
        make_site(
            name=f"Vindmølle {n}",
            site_type="wind",
            capacity=Decimal("3.6"),
            geometry=Point(556_000 + n * 10, 6_322_900, srid=25832),
        )
    settings.EXPORT_WORK_DIR = str(small_disk)
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 16 * 1024))  # 16 KB left

    response = viewer.get(f"/api/exports/sites.{fmt}")
    assert response.status_code == 507
    assert response["Content-Type"] == "application/json"
    assert "Content-Disposition" not in response
    assert "ran out of disk space" in response.json()["detail"]
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # its scratch files are gone

    filler.unlink()  # space again: the same export is complete
    body, _ = download(viewer, f"/api/exports/sites.{fmt}")
    assert len(read_back(body, fmt, tmp_path)) == 300


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "layer_id", ["sites", "partnerships", "symbioses", "heat-sources", "heating-networks", "heat-opportunities"]
)
def test_export_queries_do_not_grow_with_rows(viewer, layer_id, fmt, django_assert_max_num_queries):
    def add(start, stop):
        for i in range(start, stop):
            org = make_organisation(name=f"Virksomhed {i}", cvr="")
            OrganisationSite.objects.create(
                organisation=org, name=f"Fabrik {i}", location=Point(556_000 + 50 * i, 6_322_900, srid=25832)
            )
            make_measure(make_partnership(org, title=f"Partnerskab {i}"))
            make_site(name=f"Mølle {i}", geometry=Point(556_000 + 50 * i, 6_323_900, srid=25832))

    add(0, 2)
    download(viewer, f"/api/exports/{layer_id}.{fmt}")  # the first request also loads the user's permissions
    with django_assert_max_num_queries(6) as few:
        download(viewer, f"/api/exports/{layer_id}.{fmt}")
    add(2, 12)
    with django_assert_max_num_queries(6) as many:
        download(viewer, f"/api/exports/{layer_id}.{fmt}")
    assert len(few.captured_queries) == len(many.captured_queries)
