"""Imports from the files people bring: real files, the real command, the real database."""

import io
import zipfile
from decimal import Decimal

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.management import CommandError, call_command

from imports.models import ImportRun
from partnerships.models import ClimatePartnership, Measure
from progress.selectors import progress_totals
from registry.models import EnergySite, HeatSymbiosis, Organisation, OrganisationSite

from .conftest import make_organisation
from .import_files import (
    AALBORG_TURBINES,
    ens_register_xlsx,
    feature,
    geojson,
    kml,
    solar_parks,
    write_csv,
    zipped_shapefile,
)

pytestmark = pytest.mark.django_db


def run_import(path, *args, expect_ok=True) -> ImportRun:
    out = io.StringIO()
    try:
        call_command("import", str(path), *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        assert not expect_ok, f"{error}\n{out.getvalue()}"
    else:
        assert expect_ok, out.getvalue()
    return ImportRun.objects.latest("pk")


def reasons(run) -> dict[int, list[str]]:
    by_row = {}
    for rejection in run.rejections:
        by_row.setdefault(rejection["row"], []).append(f"{rejection['field']}: {rejection['reason']}")
    return by_row


# ---------------------------------------------------------------------------------------------- sites


def test_ens_register_excel_in_utm32_imports_every_turbine_in_aalborg(tmp_path, role_users):
    path = ens_register_xlsx(tmp_path / "vindmoeller.xlsx")
    run = run_import(
        path,
        "--kind",
        "sites",
        "--default",
        "site_type=wind",
        "--default",
        "planning_status=operating",
        "--user",
        role_users["editor"].username,
    )
    assert (run.status, run.created_count, run.rejected_count) == ("applied", 167, 0)
    assert run.mapped_columns["capacity"] == "Kapacitet (kW)"
    first = EnergySite.objects.get(external_id="570715000000000000")
    source = gpd.read_file(AALBORG_TURBINES).to_crs(25832).iloc[0]
    assert first.capacity == Decimal(str(source.capacityKw)) / 1000  # kW into MW
    assert first.geometry.distance(GEOSGeometry(source.geometry.wkt, srid=25832)) < 0.01  # rounded to cm
    assert (first.commissioning_year, first.site_type, first.municipality_code) == (1990, "wind", "0851")
    assert EnergySite.objects.filter(municipality_code="0851").count() == 167
    history = first.history.get()
    assert (history.history_type, history.history_user, history.history_change_reason) == (
        "+",
        role_users["editor"],
        f"import #{run.pk}: vindmoeller.xlsx",
    )


def test_reimporting_the_same_file_updates_instead_of_duplicating(tmp_path):
    path = ens_register_xlsx(tmp_path / "vindmoeller.xlsx")
    run_import(path, "--kind", "sites", "--default", "site_type=wind")
    again = run_import(path, "--kind", "sites", "--default", "site_type=wind")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 167)
    assert EnergySite.objects.count() == 167
    changed = ens_register_xlsx(tmp_path / "vindmoeller-2.xlsx", change_capacity_of_first=3600)
    third = run_import(changed, "--kind", "sites", "--default", "site_type=wind")
    assert (third.created_count, third.updated_count, third.unchanged_count) == (0, 1, 166)
    site = EnergySite.objects.get(external_id="570715000000000000")
    assert site.capacity == Decimal("3.600")
    assert [h.history_type for h in site.history.order_by("history_date")] == ["+", "~"]
    assert site.history.latest().history_change_reason == f"import #{third.pk}: vindmoeller-2.xlsx"


def test_geojson_in_wgs84_lands_where_postgis_puts_it(tmp_path):
    run = run_import(AALBORG_TURBINES, "--kind", "sites", "--default", "site_type=wind")
    assert run.created_count == 167 and run.rows_total == 167
    source = gpd.read_file(AALBORG_TURBINES).iloc[5]
    expected = Point(source.geometry.x, source.geometry.y, srid=4326).transform(25832, clone=True)
    assert EnergySite.objects.filter(geometry__dwithin=(expected, 0.05)).count() == 1
    assert "no id column" in " ".join(run.notices)


def test_zipped_shapefile_of_solar_parks_with_polygons(tmp_path):
    run = run_import(zipped_shapefile(tmp_path / "solparker.zip", solar_parks()), "--kind", "sites")
    assert (run.status, run.created_count) == ("applied", 3)
    park = EnergySite.objects.get(external_id="SOL-2")
    assert (park.name, park.site_type, park.planning_status, park.capacity) == (
        "Solcellepark 2",
        "solar",
        "screening",
        Decimal("11.500"),
    )
    assert park.geometry.geom_type == "Polygon" and round(park.geometry.area) == 800 * 600


def test_geopackage_with_several_layers_needs_a_layer(tmp_path):
    path = tmp_path / "konsulent.gpkg"
    solar_parks().to_file(path, layer="solparker", engine="pyogrio")
    solar_parks(1).to_file(path, layer="forslag", engine="pyogrio")
    refused = run_import(path, "--kind", "sites", expect_ok=False)
    assert refused.status == "refused" and "2 layers (solparker, forslag)" in refused.error
    chosen = run_import(path, "--kind", "sites", "--layer", "solparker")
    assert (chosen.created_count, chosen.layer) == (3, "solparker")


def test_kml_placemarks(tmp_path):
    path = kml(tmp_path / "biogas.kml", [("Biogas Vadum", 9.86, 57.12), ("Biogas Nibe", 9.64, 56.98)])
    run = run_import(path, "--kind", "sites", "--default", "site_type=biogas")
    assert run.created_count == 2
    assert set(EnergySite.objects.values_list("name", flat=True)) == {"Biogas Vadum", "Biogas Nibe"}


def test_every_bad_row_is_named_and_nothing_is_written(tmp_path):
    make_organisation(cvr="10000009")
    path = write_csv(
        tmp_path / "anlaeg.csv",
        ["id", "navn", "type", "kapacitet_mw", "cvr", "lon", "lat"],
        [
            ["A1", "God vindmølle", "vind", "3,6", "10000009", 9.92, 57.05],  # row 2: fine
            ["A2", "Tom position", "vind", "2", "", "", ""],  # 3: no coordinates
            ["A3", "I Tyskland", "sol", "1", "", 10.0, 53.5],  # 4: outside Denmark
            ["A4", "Byttet om", "sol", "1", "", 57.05, 9.92],  # 5: swapped lat/lon
            ["A5", "Ukendt type", "atomkraft", "1", "", 9.9, 57.0],  # 6: unknown type
            ["A6", "Forkert CVR", "biogas", "1", "12345678", 9.9, 57.0],  # 7: bad CVR
            ["A7", "Negativ", "biogas", "-5", "", 9.9, 57.0],  # 8: negative capacity
            ["A1", "Dublet", "vind", "1", "", 9.9, 57.0],  # 9: duplicate id
        ],
        delimiter=";",
    )
    run = run_import(path, "--kind", "sites", expect_ok=False)
    assert run.status == "rejected" and run.rejected_count == 7
    by_row = reasons(run)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]
    assert "geometry: The geometry is empty." in by_row[3]
    assert "outside Denmark" in by_row[4][0]
    assert "swapped" in by_row[5][0] and "latitude and longitude" in by_row[5][0]
    assert by_row[6][0].startswith("site_type: Unknown value “atomkraft”")
    assert "modulus-11" in by_row[7][0]
    assert by_row[8] == ["capacity: The value cannot be negative."]
    assert "Duplicate in the file: row 2" in by_row[9][0]
    assert {r["column"] for r in run.rejections if r["row"] == 8} == {"kapacitet_mw"}
    assert EnergySite.objects.count() == 0 and Organisation.objects.count() == 1

    valid_only = run_import(path, "--kind", "sites", "--valid-rows-only")
    assert (valid_only.status, valid_only.created_count, valid_only.rejected_count) == ("applied", 1, 7)
    site = EnergySite.objects.get()
    assert (site.name, site.capacity, site.operator.cvr) == ("God vindmølle", Decimal("3.600"), "10000009")


def test_invalid_geometry_from_wkt_is_rejected_with_the_reason(tmp_path):
    bowtie = "POLYGON ((550000 6310000, 551000 6311000, 551000 6310000, 550000 6311000, 550000 6310000))"
    path = write_csv(
        tmp_path / "wkt.csv", ["id", "name", "type", "wkt"], [["B1", "Sommerfugl", "solar", f'"{bowtie}"']]
    )
    run = run_import(path, "--kind", "sites", expect_ok=False)
    assert "The geometry is not valid: Self-intersection" in run.rejections[0]["reason"]


def test_dry_run_reports_what_would_happen_and_writes_nothing(tmp_path):
    run = run_import(zipped_shapefile(tmp_path / "solparker.zip", solar_parks()), "--kind", "sites", "--dry-run")
    assert (run.status, run.created_count) == ("checked", 3)
    assert EnergySite.objects.count() == 0 and EnergySite.history.count() == 0


def test_mapping_file_names_columns_translates_values_and_gives_defaults(tmp_path):
    path = write_csv(
        tmp_path / "plan.csv",
        ["Nr", "Betegnelse", "Art", "Størrelse i kW", "E", "N"],
        [["P-1", "Brintrør Aalborg-Hobro", "H2", "0", 556000, 6322900]],
    )
    path.write_text(
        path.read_text()
        .replace("556000,6322900", '"LINESTRING (556000 6322900, 557000 6310000)"')
        .replace("E,N", "WKT")
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "columns:\n  external_id: Nr\n  name: Betegnelse\n  site_type: Art\n"
        "  capacity: {column: Størrelse i kW, scale: 0.001}\n"
        "values:\n  site_type: {H2: hydrogen_pipe}\ndefaults:\n  planning_status: idea\n"
    )
    run = run_import(path, "--kind", "sites", "--mapping", str(mapping))
    pipe = EnergySite.objects.get(external_id="P-1")
    assert (pipe.site_type, pipe.geometry.geom_type, run.mapped_columns["capacity"]) == (
        "hydrogen_pipe",
        "LineString",
        "Størrelse i kW",
    )


# ---------------------------------------------------------------------------------------- hostile files


def test_a_file_that_is_not_what_its_name_says_is_refused(tmp_path):
    fake = tmp_path / "sites.gpkg"
    fake.write_text("id,name\n1,x\n")
    run = run_import(fake, "--kind", "sites", expect_ok=False)
    assert run.status == "refused" and "which says GeoPackage, but its content is CSV" in run.error
    image = tmp_path / "sites.geojson"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert "binary" in run_import(image, "--kind", "sites", expect_ok=False).error


def test_shapefile_without_prj_is_refused(tmp_path):
    run = run_import(
        zipped_shapefile(tmp_path / "x.zip", solar_parks(), with_prj=False), "--kind", "sites", expect_ok=False
    )
    assert "has no .prj file" in run.error


def test_zip_bomb_is_refused_without_unpacking(tmp_path, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 5
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.shp", bytes(20 * 1024 * 1024))
        archive.writestr("big.prj", "x")
    assert bomb.stat().st_size < 100_000
    run = run_import(bomb, "--kind", "sites", expect_ok=False)
    assert "zip bomb" in run.error


def test_a_file_over_the_size_limit_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_MB = 1
    path = write_csv(tmp_path / "big.csv", ["id", "name"], [[i, "x" * 100] for i in range(12_000)])
    run = run_import(path, "--kind", "sites", expect_ok=False)
    assert "the limit is 1 MB" in run.error


# ---------------------------------------------------------------------------------------- partnerships

PARTNERSHIP_HEADER = [
    "Sagsnr",
    "Virksomhed",
    "CVR-nr",
    "Adresse",
    "Titel",
    "Sektor",
    "Status",
    "Underskrevet",
    "Tiltag",
    "Tiltagstype",
    "Ton CO2e/år",
    "Første år",
    "Metode",
]


def partnership_rows():
    return [
        [
            "KP-1",
            "Limfjord Cement A/S",
            "DK 1000 0009",
            "Rørdalsvej 44, Aalborg",
            "Klimapartnerskab cement",
            "industri",
            "underskrevet",
            "2025-03-01",
            "Overskudsvarme",
            "overskudsvarme",
            "1250,5",
            "2026",
            "beregnet",
        ],
        [
            "KP-2",
            "Vadum Mælk I/S",
            "29403473",
            "Vadumvej 1",
            "Klimapartnerskab landbrug",
            "landbrug",
            "aktiv",
            "01-05-2024",
            "Foderadditiv",
            "foderadditiv",
            "310",
            "2025",
            "standardfaktor",
        ],
    ]


def test_partnership_spreadsheet_creates_organisations_partnerships_and_measures(tmp_path):
    import openpyxl

    path = tmp_path / "partnerskaber.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(PARTNERSHIP_HEADER)
    for row in partnership_rows():
        workbook.active.append(row)
    workbook.save(path)
    run = run_import(path, "--kind", "partnerships")
    assert (run.status, run.created_count) == ("applied", 2)
    cement = ClimatePartnership.objects.get(external_id="KP-1")
    assert (cement.status, str(cement.signed_on), cement.sector) == ("signed", "2025-03-01", "industry")
    assert cement.organisations.get().cvr == "10000009"
    measure = cement.measures.get()
    assert (measure.annual_reduction_t, measure.measure_type, measure.method) == (
        Decimal("1250.50"),
        "surplus_heat",
        "calculated",
    )
    assert measure.source == "partnerskaber.xlsx, row 2"
    assert Organisation.objects.get(cvr="29403473").kind == "farm"
    totals = progress_totals()
    assert totals["industry"]["committed_tonnes"] == Decimal("1250.50")

    again = run_import(path, "--kind", "partnerships")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert Measure.objects.count() == 2 and Organisation.objects.count() == 2


def test_partnership_rows_break_the_models_rules_are_named(tmp_path):
    rows = partnership_rows()
    rows[0][2] = "10000008"  # checksum fails
    rows[1][10] = "-310"  # negative tonnes
    path = write_csv(tmp_path / "p.csv", PARTNERSHIP_HEADER, rows, delimiter=";")
    run = run_import(path, "--kind", "partnerships", expect_ok=False)
    by_row = reasons(run)
    assert "modulus-11" in by_row[2][0] and by_row[3] == ["annual_reduction_t: Tonnes cannot be negative."]
    assert ClimatePartnership.objects.count() == 0 and Organisation.objects.count() == 0


def test_partnership_status_cannot_go_backwards_on_reimport(tmp_path):
    rows = partnership_rows()
    path = write_csv(tmp_path / "p.csv", PARTNERSHIP_HEADER, rows, delimiter=";")
    run_import(path, "--kind", "partnerships")
    rows[1][6] = "dialog"
    path = write_csv(tmp_path / "p2.csv", PARTNERSHIP_HEADER, rows, delimiter=";")
    run = run_import(path, "--kind", "partnerships", expect_ok=False)
    assert reasons(run) == {3: ["status: A partnership cannot go from Active to In dialogue."]}
    assert ClimatePartnership.objects.get(external_id="KP-2").status == "active"


# ------------------------------------------------------------------------------------------- symbioses


def test_symbioses_with_pipe_routes(tmp_path):
    make_organisation(cvr="10000009")
    path = geojson(
        tmp_path / "symbioser.geojson",
        [
            feature(
                {"type": "LineString", "coordinates": [[9.97, 57.05], [9.93, 57.04]]},
                id="S-1",
                navn="Cementvarme til Aalborg Forsyning",
                cvr="10000009",
                varmekilde="Ovnens røggas",
                fjernvarmenet="Aalborg Forsyning",
                kapacitet_mw=12,
                varme_mwh=90000,
                status="aftalt",
            ),
            feature(
                {"type": "Point", "coordinates": [9.9, 57.0]},
                id="S-2",
                navn="Datacenter",
                varmekilde="Servere",
                fjernvarmenet="Aalborg Forsyning",
                kapacitet_mw="2,5",
                varme_mwh=18000,
            ),
        ],
    )
    run = run_import(path, "--kind", "symbioses")
    assert (run.status, run.created_count) == ("applied", 2)
    cement = HeatSymbiosis.objects.get(external_id="S-1")
    assert cement.pipe_route is not None and cement.source_organisation.cvr == "10000009"
    assert cement.source_location.distance(cement.pipe_route) < 0.01 and cement.status == "agreed"
    assert HeatSymbiosis.objects.get(external_id="S-2").source_location is not None
    assert OrganisationSite.objects.count() == 0


def _index_definitions(table):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname", [table])
        return cursor.fetchall()


def _index_oids(table):
    """An index built again gets a new oid: this tells a rebuilt index from one left alone."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexname::regclass::oid FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT LIKE '%%_pkey'",
            [table],
        )
        return dict(cursor.fetchall())


def _many_parks(tmp_path, count=12):
    path = tmp_path / "parks.gpkg"
    solar_parks(count).to_file(path, layer="parks", driver="GPKG")
    return path


def _primary_key_oid(table):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table])
        return cursor.fetchone()[0]


def _foreign_keys(table):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'f' ORDER BY conname",
            [table],
        )
        return cursor.fetchall()


SITE_TABLES = (EnergySite._meta.db_table, EnergySite.history.model._meta.db_table)


def test_a_first_large_load_rebuilds_the_indexes_as_they_were_and_keeps_the_keys(tmp_path, settings, role_users):
    settings.IMPORT_REBUILD_INDEXES_MIN_ROWS = 10  # 12 new sites into an empty table: the first-load path
    operator = make_organisation(cvr="10000009")
    before = {table: (_index_definitions(table), _foreign_keys(table)) for table in SITE_TABLES}
    oids = {table: _index_oids(table) for table in SITE_TABLES}
    primary_keys = {table: _primary_key_oid(table) for table in SITE_TABLES}
    assert all(len(indexes) >= 3 and keys for indexes, keys in before.values())
    parks = solar_parks(12).assign(cvr=["10000009"] * 6 + [""] * 6)
    path = tmp_path / "parks.gpkg"
    parks.to_file(path, layer="parks", driver="GPKG")
    run = run_import(path, "--kind", "sites", "--default", "site_type=solar", "--user", role_users["editor"].username)
    assert (run.status, run.created_count, run.rejected_count) == ("applied", 12, 0)
    assert {table: (_index_definitions(table), _foreign_keys(table)) for table in SITE_TABLES} == before
    for table in SITE_TABLES:  # every secondary index was built again (new oids), none lost or added
        rebuilt = _index_oids(table)
        assert rebuilt.keys() == oids[table].keys()
        assert all(rebuilt[name] != oids[table][name] for name in rebuilt), table
    # The history's primary key was built again; the sites' one, which measures refer to, never dropped.
    assert _primary_key_oid(SITE_TABLES[0]) == primary_keys[SITE_TABLES[0]]
    assert _primary_key_oid(SITE_TABLES[1]) != primary_keys[SITE_TABLES[1]]
    park = EnergySite.objects.get(external_id="SOL-3")
    assert (park.operator, park.municipality_code, park.capacity) == (operator, "0851", Decimal("12.500"))
    assert park.created_at == park.updated_at and park.created_at is not None
    assert EnergySite.objects.filter(operator=None).count() == 6
    history = EnergySite.history.filter(history_type="+", history_change_reason=f"import #{run.pk}: parks.gpkg")
    assert history.count() == 12 and set(history.values_list("history_user", flat=True)) == {role_users["editor"].pk}
    assert history.get(id=park.pk).geometry.equals_exact(park.geometry, 0)
    # the spatial index is in use again: a bbox query finds exactly the parks
    assert (
        EnergySite.objects.filter(
            geometry__bboverlaps=GEOSGeometry(
                "POLYGON((549000 6309000, 575000 6309000, 575000 6312000, 549000 6312000, 549000 6309000))", srid=25832
            )
        ).count()
        == 12
    )
    again = run_import(path, "--kind", "sites", "--default", "site_type=solar")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 12)
    park.name = "Renamed by hand"  # the history's ids were drawn from its sequence: the next one is free
    park.save()
    assert park.history.order_by("history_id").last().name == "Renamed by hand"
    assert len(set(EnergySite.history.values_list("history_id", flat=True))) == EnergySite.history.count() == 13


TRICKY_SITES = [  # (id, name, capacity MW, commissioning year, description, geometry)
    ("T-1", "Tab\there, new\nline, back\\slash", 0.001, 1990, "Ærø – «citat» 🌬️", shapely.Point(552_000, 6_310_100)),
    ("T-2", "Æbeltoft Sø", 12_345_678_901.234, None, "", shapely.box(560_000, 6_310_000, 560_500, 6_310_400)),
    ("T-3", "Nul", 0.0, 2024, "\\N is not NULL", shapely.Point(554_000, 6_311_000)),
    ("T-4", "Uden effekt", None, 2001, "CR\rhere", shapely.Point(555_000, 6_311_500)),
]


@pytest.mark.parametrize("first_load", [True, False], ids=["first-load path", "staging path"])
def test_every_value_arrives_exactly_as_written_in_the_file(tmp_path, settings, first_load):
    """COPY's binary form carries tabs, newlines, backslashes, non-Latin text, the largest and smallest
    capacities, missing numbers, points and polygons, on both paths and on re-import."""
    settings.IMPORT_REBUILD_INDEXES_MIN_ROWS = 3 if first_load else 1_000
    oids = _index_oids(SITE_TABLES[0])
    keys, names, capacities, years, descriptions, geometries = zip(*TRICKY_SITES)
    frame = gpd.GeoDataFrame(
        {
            "id": keys,
            "navn": names,
            "type": "solar",
            "effekt_mw": capacities,
            "idriftsat": pd.array(years, dtype="Int64"),
            "beskrivelse": descriptions,
        },
        geometry=list(geometries),
        crs=25832,
    )
    path = tmp_path / "tricky.gpkg"
    frame.to_file(path, layer="tricky", driver="GPKG")
    run = run_import(path, "--kind", "sites")
    assert (run.status, run.created_count) == ("applied", 4)
    assert (_index_oids(SITE_TABLES[0]) != oids) is first_load  # the path this case is about
    stored = {site.external_id: site for site in EnergySite.objects.all()}
    for key, name, capacity, year, description, geometry in TRICKY_SITES:
        site = stored[key]
        assert (site.name, site.commissioning_year, site.description) == (name, year, description)
        assert site.capacity == (None if capacity is None else Decimal(f"{capacity:.3f}"))
        assert shapely.from_wkb(bytes(site.geometry.wkb)).equals_exact(geometry, 0) and site.geometry.srid == 25832
        assert (site.municipality_code, site.data_source, site.capacity_unit) == ("0851", "tricky.gpkg", "MW")
    frame.loc[1, "effekt_mw"] = 0.5
    frame.loc[0, "navn"] = "Still\ttricky\\"
    frame.to_file(path, layer="tricky", driver="GPKG")
    again = run_import(path, "--kind", "sites")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 2, 2)
    assert EnergySite.objects.get(external_id="T-2").capacity == Decimal("0.500")
    assert EnergySite.objects.get(external_id="T-1").name == "Still\ttricky\\"


def test_the_foreign_keys_hold_after_a_first_large_load(tmp_path, settings):
    from django.db import IntegrityError, connection, transaction

    settings.IMPORT_REBUILD_INDEXES_MIN_ROWS = 10
    assert run_import(_many_parks(tmp_path), "--kind", "sites", "--default", "site_type=solar").created_count == 12
    site = EnergySite.objects.get(external_id="SOL-1")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {SITE_TABLES[0]} SET operator_id = 999999 WHERE id = %s", [site.pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_first_large_load_among_known_sites_creates_the_new_and_updates_the_known(tmp_path, settings):
    settings.IMPORT_REBUILD_INDEXES_MIN_ROWS = 10  # 2 sites in the registry, 10 new ones in the file
    from .conftest import make_site

    known = {key: make_site(name=f"Old {key}", site_type="solar", external_id=key).pk for key in ("SOL-2", "SOL-7")}
    oids = _index_oids(SITE_TABLES[0])
    run = run_import(_many_parks(tmp_path), "--kind", "sites", "--default", "site_type=solar")
    assert (run.status, run.created_count, run.updated_count, run.unchanged_count) == ("applied", 10, 2, 0)
    assert all(oid != oids[name] for name, oid in _index_oids(SITE_TABLES[0]).items())  # the first-load path
    assert EnergySite.objects.count() == 12
    for key, pk in known.items():
        site = EnergySite.objects.get(external_id=key)
        assert (site.pk, site.name) == (pk, f"Solcellepark {key[4:]}")
        assert [h.history_type for h in site.history.order_by("history_id")] == ["+", "~"]
    assert (
        EnergySite.history.filter(history_type="+", history_change_reason__startswith=f"import #{run.pk}").count() == 10
    )


def test_a_first_large_load_keeps_the_indexes_of_a_history_larger_than_it(tmp_path, settings):
    """One site edited 14 times: its history outgrows the 12 new sites, so only the sites' table is set aside."""
    settings.IMPORT_REBUILD_INDEXES_MIN_ROWS = 10
    from .conftest import make_site

    site = make_site(name="Edited often", site_type="biogas", external_id="B-1")
    for number in range(14):
        site.description = f"Edit {number}"
        site.save()
    oids = {table: _index_oids(table) for table in SITE_TABLES}
    history_key = _primary_key_oid(SITE_TABLES[1])
    run = run_import(_many_parks(tmp_path), "--kind", "sites", "--default", "site_type=solar")
    assert (run.status, run.created_count) == ("applied", 12)
    sites, history = SITE_TABLES
    assert all(oid != oids[sites][name] for name, oid in _index_oids(sites).items())  # rebuilt
    assert _index_oids(history) == oids[history] and _primary_key_oid(history) == history_key  # left alone
    assert EnergySite.history.filter(history_change_reason__startswith=f"import #{run.pk}").count() == 12
    assert EnergySite.history.count() == 15 + 12


def test_a_rejected_first_large_load_leaves_nothing_and_never_locks_the_table_for_it(tmp_path, settings):
    """An import that will be rolled back (one row rejected, "valid rows only" not asked) takes the ordinary path."""
    settings.IMPORT_REBUILD_INDEXES_MIN_ROWS = 10
    oids = {table: _index_oids(table) for table in SITE_TABLES}
    keys = {table: _foreign_keys(table) for table in SITE_TABLES}
    parks = solar_parks(12)
    parks.loc[4, "effekt_mw"] = -1.0
    path = tmp_path / "parks.gpkg"
    parks.to_file(path, layer="parks", driver="GPKG")
    run = run_import(path, "--kind", "sites", "--default", "site_type=solar", expect_ok=False)
    assert (run.status, run.rejected_count, run.created_count) == ("rejected", 1, 11)  # counted, then rolled back
    assert reasons(run) == {5: ["capacity: The value cannot be negative."]}  # the fifth feature
    assert EnergySite.objects.count() == 0 and EnergySite.history.count() == 0
    assert {table: _index_oids(table) for table in SITE_TABLES} == oids  # the very same indexes: never dropped
    assert {table: _foreign_keys(table) for table in SITE_TABLES} == keys
    applied = run_import(path, "--kind", "sites", "--default", "site_type=solar", "--valid-rows-only")
    assert (applied.status, applied.created_count) == ("applied", 11)
    assert all(oid != oids[SITE_TABLES[0]][name] for name, oid in _index_oids(SITE_TABLES[0]).items())  # rebuilt


def test_a_busy_table_is_loaded_without_touching_its_indexes(tmp_path, settings):
    """A reader holding the sites table: the import does not wait for it (2 s at most) and keeps the indexes."""
    import psycopg
    from django.db import connection

    settings.IMPORT_REBUILD_INDEXES_MIN_ROWS = 10
    before = _index_definitions(EnergySite._meta.db_table)
    oids = _index_oids(EnergySite._meta.db_table)
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")}, autocommit=False
    ) as reader:
        reader.execute(f"SELECT count(*) FROM {EnergySite._meta.db_table}")  # holds ACCESS SHARE until rollback
        run = run_import(_many_parks(tmp_path), "--kind", "sites", "--default", "site_type=solar")
        reader.rollback()
    assert (run.status, run.created_count) == ("applied", 12)
    assert _index_definitions(EnergySite._meta.db_table) == before
    assert _index_oids(EnergySite._meta.db_table) == oids  # left alone, not dropped and rebuilt
