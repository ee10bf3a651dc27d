"""Surplus-heat opportunities: nearest network, distance, cost and CO2e, ranked; checked against hand-computed figures.

The layout (EPSG:25832 metres, inside Aalborg Kommune):

    area A: the square 550000-551000 E, 6320000-6321000 N (80 °C)      line B: x = 560000, 6320000-6322000 N (70 °C)
    S1 (551300, 6320500)  300 m east of A's edge          10,000 MWh at 60 °C
    S2 (559000, 6321000)  1,000 m west of B               50,000 MWh at 90 °C
    S3 (550500, 6320500)  inside A: 0 m                    1,000 MWh at 40 °C
    S4 (551400, 6321400)  to A's corner: sqrt(400² + 400²) = 565.685 m    20,000 MWh at 85 °C

At 5,000 DKK/m and 150 kg CO2e/MWh:
    S1: 1,500,000 DKK, 1,500 t/yr, 1,000 DKK per t/yr        S2: 5,000,000 DKK, 7,500 t/yr, 667 DKK per t/yr
    S3: 0 DKK, 150 t/yr, 0 DKK per t/yr                      S4: 2,828,427 DKK, 3,000 t/yr, 943 DKK per t/yr
Ranked by pipe cost per tonne: S3, S2, S4, S1.
"""

import io
import zipfile
from decimal import Decimal

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from django.contrib.gis.geos import LineString, Point, Polygon
from django.core.management import CommandError, call_command
from django.test import Client

from partnerships.models import Measure
from registry.heat_opportunities import Assumptions, OpportunityFilter, opportunities
from registry.models import HeatingNetwork, HeatSource, HeatSymbiosis

from .conftest import make_organisation

ASSUMPTIONS = {"pipe_cost_dkk_per_m": 5000, "emission_factor_kg_per_mwh": 150}
SOURCES = {
    "S1": ((551_300, 6_320_500), 10_000, 60),
    "S2": ((559_000, 6_321_000), 50_000, 90),
    "S3": ((550_500, 6_320_500), 1_000, 40),
    "S4": ((551_400, 6_321_400), 20_000, 85),
}


@pytest.fixture
def layout(db):
    area = Polygon.from_bbox((550_000, 6_320_000, 551_000, 6_321_000))
    area.srid = 25832
    networks = {
        "A": HeatingNetwork.objects.create(name="Area A", geometry=area, supply_temperature_c=Decimal(80)),
        "B": HeatingNetwork.objects.create(
            name="Line B",
            supply_temperature_c=Decimal(70),
            geometry=LineString((560_000, 6_320_000), (560_000, 6_322_000), srid=25832),
        ),
    }
    company = make_organisation()
    sources = {
        name: HeatSource.objects.create(
            name=name,
            organisation=company,
            location=Point(*xy, srid=25832),
            surplus_heat_mwh_per_yr=Decimal(mwh),
            temperature_c=Decimal(temp),
        )
        for name, (xy, mwh, temp) in SOURCES.items()
    }
    return networks, sources


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def by_source(rows):
    return {row["source_name"]: row for row in rows}


def test_each_source_meets_its_nearest_network_at_the_hand_computed_distance(layout):
    rows = by_source(opportunities(assumptions=Assumptions(**ASSUMPTIONS)))
    assert {name: (row["network_name"], row["distance_m"]) for name, row in rows.items()} == {
        "S1": ("Area A", Decimal("300.0")),
        "S2": ("Line B", Decimal("1000.0")),
        "S3": ("Area A", Decimal("0.0")),
        "S4": ("Area A", Decimal("565.7")),
    }
    assert {name: row["pipe_cost_dkk"] for name, row in rows.items()} == {
        "S1": 1_500_000,
        "S2": 5_000_000,
        "S3": 0,
        "S4": 2_828_427,
    }
    assert {name: row["co2e_displaced_t_per_yr"] for name, row in rows.items()} == {
        "S1": 1500,
        "S2": 7500,
        "S3": 150,
        "S4": 3000,
    }
    assert {name: row["pipe_cost_dkk_per_t_per_yr"] for name, row in rows.items()} == {
        "S1": 1000,
        "S2": 667,
        "S3": 0,
        "S4": 943,
    }
    assert {name: row["heat_delivered_mwh_per_yr"] for name, row in rows.items()} == {
        "S1": 10_000,
        "S2": 50_000,
        "S3": 1_000,
        "S4": 20_000,
    }
    assert {name: row["needs_heat_pump"] for name, row in rows.items()} == {
        "S1": True,
        "S2": False,
        "S3": True,
        "S4": False,
    }


def test_the_ranking_and_the_orderings(layout):
    assumptions = Assumptions(**ASSUMPTIONS)
    ranked = opportunities(assumptions=assumptions)
    assert [(r["rank"], r["source_name"]) for r in ranked] == [(1, "S3"), (2, "S2"), (3, "S4"), (4, "S1")]
    assert [r["source_name"] for r in opportunities(assumptions=assumptions, ordering="distance")] == [
        "S3",
        "S1",
        "S4",
        "S2",
    ]
    assert [r["source_name"] for r in opportunities(assumptions=assumptions, ordering="co2e")] == [
        "S2",
        "S4",
        "S1",
        "S3",
    ]
    # the rank stays the cost-effectiveness rank whatever the order shown
    assert {r["source_name"]: r["rank"] for r in opportunities(assumptions=assumptions, ordering="distance")} == {
        "S3": 1,
        "S2": 2,
        "S4": 3,
        "S1": 4,
    }


def test_filters(layout):
    assumptions = Assumptions(**ASSUMPTIONS)

    def names(**filters):
        return {r["source_name"] for r in opportunities(OpportunityFilter(**filters), assumptions)}

    assert names(max_distance_m=600) == {"S1", "S3", "S4"}
    assert names(min_heat_mwh_per_yr=5_000) == {"S1", "S2", "S4"}
    assert names(min_temperature_c=80) == {"S2", "S4"}
    assert names(network_kind="cooling") == set()


def test_the_assumptions_change_the_figures_not_the_geometry(layout, settings):
    settings.HEAT_PIPE_COST_DKK_PER_M = 1000
    settings.HEAT_DISPLACED_EMISSION_FACTOR_KG_PER_MWH = 300
    s2 = by_source(opportunities())["S2"]
    assert (s2["distance_m"], s2["pipe_cost_dkk"], s2["co2e_displaced_t_per_yr"]) == (1000, 1_000_000, 15_000)


def test_the_api_lists_ranked_geojson_and_checks_its_parameters(layout, client_for):
    viewer = client_for("viewer")
    body = viewer.get("/api/heat-opportunities/", {**ASSUMPTIONS, "srid": 25832}).json()
    assert body["assumptions"]["pipe_cost_dkk_per_m"] == 5000
    assert [f["properties"]["source_name"] for f in body["features"]] == ["S3", "S2", "S4", "S1"]
    s2 = next(f for f in body["features"] if f["properties"]["source_name"] == "S2")
    assert s2["geometry"] == {"type": "LineString", "coordinates": [[559000, 6321000], [560000, 6321000]]}
    s3 = next(f for f in body["features"] if f["properties"]["source_name"] == "S3")
    assert s3["geometry"]["type"] == "Point"  # inside the area: no pipe to draw
    for bad in (
        {"max_distance_m": "-1"},
        {"ordering": "price"},
        {"pipe_cost_dkk_per_m": "lots"},
        {"network_kind": "steam"},
    ):
        response = viewer.get("/api/heat-opportunities/", bad)
        assert response.status_code == 400 and set(bad) <= set(response.json()), bad


def test_the_export_has_the_same_ranked_rows(layout, client_for, tmp_path):
    viewer = client_for("viewer")
    response = viewer.get("/api/exports/heat-opportunities.xlsx", ASSUMPTIONS)
    assert response.status_code == 200
    path = tmp_path / "opportunities.xlsx"
    path.write_bytes(response.content)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert [(r["source_name"], r["distance_m"], r["pipe_cost_dkk"]) for r in rows] == [
        ("S3", 0, 0),
        ("S2", 1000, 5_000_000),
        ("S4", 565.7, 2_828_427),
        ("S1", 300, 1_500_000),
    ]
    gpkg = viewer.get("/api/exports/heat-opportunities.gpkg", ASSUMPTIONS)
    (tmp_path / "o.gpkg").write_bytes(gpkg.content)
    frame = gpd.read_file(tmp_path / "o.gpkg", layer="heat-opportunities")
    assert frame.crs.to_epsg() == 25832 and len(frame) == 4
    line = frame[frame.source_name == "S2"].geometry.iloc[0]
    assert line.length == pytest.approx(1000)
    # a Shapefile cuts names to 10 characters; organisation_id / organisation_name must not collide
    shp = viewer.get("/api/exports/heat-opportunities.shp", ASSUMPTIONS)
    assert shp.status_code == 200
    (tmp_path / "o.zip").write_bytes(shp.content)
    parts = [
        gpd.read_file(f"zip://{tmp_path / 'o.zip'}!{name}")
        for name in zipfile.ZipFile(tmp_path / "o.zip").namelist()
        if name.endswith(".shp")
    ]
    shapes = pd.concat(parts, ignore_index=True)
    assert len(shapes) == 4 and {"organisati", "organisa_2", "pipe_cost_", "pipe_cos_2"} <= set(shapes.columns)
    assert sorted(shapes["pipe_cost_"]) == [0, 1_500_000, 2_828_427, 5_000_000]


def test_a_planner_proposes_a_symbiosis_in_one_step(layout, role_users):
    networks, sources = layout
    editor, viewer = signed_in(role_users["editor"]), signed_in(role_users["viewer"])
    url = f"/api/heat-opportunities/{sources['S2'].pk}/propose/"
    assert viewer.post(url).status_code == 403
    response = editor.post(f"{url}?pipe_cost_dkk_per_m=5000&emission_factor_kg_per_mwh=150")
    assert response.status_code == 201, response.content
    symbiosis = HeatSymbiosis.objects.get(pk=response.json()["id"])
    assert (symbiosis.status, symbiosis.heat_source, symbiosis.heating_network) == (
        "idea",
        sources["S2"],
        networks["B"],
    )
    assert symbiosis.heat_mwh_per_yr == 50_000 and symbiosis.capacity_mw == Decimal("6.250")  # 50,000 / 8,000 h
    assert symbiosis.pipe_route.length == pytest.approx(1000)
    assert symbiosis.source_organisation == sources["S2"].organisation
    # written in the proposer's language and formats (English here)
    assert "DKK 5,000,000" in symbiosis.description and "7,500 t CO2e/yr" in symbiosis.description
    assert symbiosis.history.first().history_user.username == "test-editor"
    # no tonnes toward the targets until a partnership agrees a measure
    assert not Measure.objects.filter(heat_symbiosis=symbiosis).exists()
    # proposed: gone from the default list, shown (with its symbiosis) when asked for
    listed = viewer.get("/api/heat-opportunities/").json()["features"]
    assert "S2" not in {f["properties"]["source_name"] for f in listed}
    everything = viewer.get("/api/heat-opportunities/", {"include_proposed": "true"}).json()
    s2 = next(f for f in everything["features"] if f["properties"]["source_name"] == "S2")
    assert s2["properties"]["proposed_symbiosis_id"] == symbiosis.pk
    again = editor.post(url)
    assert again.status_code == 400 and f"#{symbiosis.pk}" in str(again.json())
    inside = editor.post(f"/api/heat-opportunities/{sources['S3'].pk}/propose/")
    assert inside.status_code == 201 and HeatSymbiosis.objects.get(pk=inside.json()["id"]).pipe_route is None
    assert editor.post("/api/heat-opportunities/999999/propose/").status_code == 404


def test_a_cancelled_proposal_frees_the_source_again(layout, client_for):
    _, sources = layout
    editor = client_for("editor")
    created = editor.post(f"/api/heat-opportunities/{sources['S1'].pk}/propose/").json()
    symbiosis = HeatSymbiosis.objects.get(pk=created["id"])
    symbiosis.status = "cancelled"
    symbiosis.save()
    assert "S1" in {r["source_name"] for r in opportunities()}


def test_networks_and_sources_import_like_any_layer(db, tmp_path, role_users):
    make_organisation(name="Aalborg Forsyning", cvr="10000009")
    areas = gpd.GeoDataFrame(
        {"Navn": ["Område Øst", "Område Vest"], "Fremløbstemperatur": [75.0, 70.0], "CVR": ["10000009", None]},
        geometry=[
            shapely.box(555_000, 6_320_000, 556_000, 6_321_000),
            shapely.box(540_000, 6_315_000, 541_000, 6_316_000),
        ],
        crs=25832,
    ).to_crs(4326)
    areas.to_file(tmp_path / "fjernvarme.gpkg", layer="omraader", driver="GPKG")
    call_command(
        "import",
        str(tmp_path / "fjernvarme.gpkg"),
        "--kind",
        "heating-networks",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    east = HeatingNetwork.objects.get(name="Område Øst")
    assert east.operator.cvr == "10000009" and east.supply_temperature_c == 75
    assert east.geometry.srid == 25832 and east.geometry.area == pytest.approx(1_000_000, rel=1e-3)
    sources_csv = tmp_path / "overskudsvarme.csv"
    sources_csv.write_text(
        "navn;overskudsvarme_mwh;temperatur;x;y\nBageri;1200,5;55;556500;6320500\nKøleanlæg;-3;30;541000;6315000\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", str(sources_csv), "--kind", "heat-sources", stdout=out, stderr=io.StringIO())
    assert not HeatSource.objects.exists()  # one bad row: nothing imported
    call_command(
        "import", str(sources_csv), "--kind", "heat-sources", "--valid-rows-only", stdout=out, stderr=io.StringIO()
    )
    bakery = HeatSource.objects.get()
    assert bakery.surplus_heat_mwh_per_yr == Decimal("1200.5")
    (row,) = opportunities()
    assert (row["source_name"], row["network_name"], row["distance_m"]) == ("Bageri", "Område Øst", 500)
