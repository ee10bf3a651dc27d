"""Third-party files imported as they come, through the command: registers, and CSV as Danish Excel writes it."""

from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry

from registry.models import EnergySite

from .test_imports import run_import

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parent / "data"  # copies of ../shared/data (tests/data/README.md)
NATIONAL_TURBINES = SHARED / "dk_wind_turbines_ens.geojson"
POWER_PLANTS = SHARED / "dk_power_plants_gppd.geojson"

# Danish Excel's "CSV (semikolonsepareret)": Windows-1252, ";" between cells, decimal commas, CRLF.
DANISH_EXCEL_ROWS = [
    ["Møllenummer", "Anlægsnavn", "Type", "Kapacitet (kW)", "Længdegrad", "Breddegrad", "Idriftsat"],
    ["M-1", "Mølle ved Vadum Å", "vind", "2.300", "9,8612", "57,1203", "2001"],
    ["M-2", "Sønderholm Øst", "vind", "3.600,5", "9,7701", "56,9902", "2012"],
    ["M-3", "Ærøvej Solcellepark", "sol", "850", "9,9402", "57,0307", "2020"],
]


def danish_excel_csv(path: Path, encoding: str) -> Path:
    path.write_bytes("".join(";".join(row) + "\r\n" for row in DANISH_EXCEL_ROWS).encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"], ids=["semikolonsepareret", "csv-utf-8-with-bom"])
def test_a_csv_saved_by_danish_excel_keeps_its_letters_and_numbers(tmp_path, encoding):
    run = run_import(danish_excel_csv(tmp_path / "anlaeg.csv", encoding), "--kind", "sites")
    assert (run.status, run.created_count, run.rejected_count) == ("applied", 3, 0)
    assert run.mapped_columns["external_id"] == "Møllenummer"  # no byte-order mark stuck to the first header
    sites = {site.external_id: site for site in EnergySite.objects.all()}
    assert [sites[row[0]].name for row in DANISH_EXCEL_ROWS[1:]] == [row[1] for row in DANISH_EXCEL_ROWS[1:]]
    assert [sites[key].capacity for key in ("M-1", "M-2", "M-3")] == [
        Decimal("2.300"),
        Decimal("3.601"),  # 3.600,5 kW, in MW to three places
        Decimal("0.850"),
    ]
    assert (sites["M-3"].site_type, sites["M-2"].commissioning_year, sites["M-1"].municipality_code) == (
        "solar",
        2012,
        "0851",
    )
    expected = GEOSGeometry("POINT (9.7701 56.9902)", srid=4326).transform(25832, clone=True)
    assert sites["M-2"].geometry.distance(expected) < 0.05


def test_the_national_turbine_register_imports_every_turbine_offshore_ones_without_a_municipality():
    source = gpd.read_file(NATIONAL_TURBINES).to_crs(25832)
    run = run_import(NATIONAL_TURBINES, "--kind", "sites", "--default", "site_type=wind")
    assert (run.status, run.created_count, run.rejected_count) == ("applied", len(source), 0)
    assert EnergySite.objects.count() == len(source)
    total_mw = sum(site.capacity for site in EnergySite.objects.only("capacity"))
    assert total_mw == sum(Decimal(str(kw)) for kw in source.capacityKw) / 1000
    offshore = source[source.typeOfLocation == "HAV"]
    at_sea = GEOSGeometry(shapely.MultiPoint(list(offshore.geometry)).wkt, srid=25832)
    stored_at_sea = EnergySite.objects.filter(geometry__dwithin=(at_sea, 0.05))
    assert stored_at_sea.count() == len(offshore)
    # Rødsand II lies in Danish waters south of Lolland, clear of every municipality's land.
    roedsand = GEOSGeometry("POINT (11.5976 54.5285)", srid=4326).transform(25832, clone=True)
    near_roedsand = stored_at_sea.filter(geometry__dwithin=(roedsand, 3_000))
    assert near_roedsand.count() >= 10 and set(near_roedsand.values_list("municipality_code", flat=True)) == {""}


def test_the_global_power_plant_database_imports_the_plants_the_registry_holds_and_names_the_others():
    source = gpd.read_file(POWER_PLANTS)
    ours = source[source.primary_fuel.isin(["Wind", "Solar"])]
    run = run_import(POWER_PLANTS, "--kind", "sites", "--valid-rows-only")
    assert (run.status, run.created_count, run.rejected_count) == ("applied", len(ours), len(source) - len(ours))
    others = source[~source.primary_fuel.isin(["Wind", "Solar"])]
    assert [(r["row"], r["column"], r["value"]) for r in run.rejections] == [
        (index + 1, "primary_fuel", fuel) for index, fuel in others.primary_fuel.items()
    ]
    assert all(r["reason"].startswith(f"Unknown value “{r['value']}”") for r in run.rejections)
    for plant in ours.itertuples():
        site = EnergySite.objects.get(external_id=plant.gppd_idnr)
        assert (site.name, site.capacity) == (plant.name, Decimal(str(plant.capacity_mw)))
    assert EnergySite.objects.get(name="Hjørring").site_type == "solar"
    assert EnergySite.objects.get(name="Anholt").commissioning_year == 2013
    assert EnergySite.objects.get(name="Roedsand 2").municipality_code == ""  # offshore, in Danish waters
